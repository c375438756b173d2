package dev.jvisor.runsc;

import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The platforms jrunsc knows by name, and which of them can run a workload today. */
final class Platforms {
    private Platforms() {}

    /** One platform: its --platform name, whether it works yet, and how it runs workload code. */
    record Info(String name, boolean available, String description) {}

    static final List<Info> ALL = List.of(
            new Info("ptrace", true, "stubs traced with PTRACE_SYSEMU; runs anywhere ptrace is allowed"),
            new Info("systrap", true, "seccomp SECCOMP_RET_TRAP in the stubs, registers over shared memory "
                    + "(alias: seccomp)"),
            new Info("kvm", false, "workload in guest ring 3 of a KVM virtual machine; needs /dev/kvm"));

    /** The canonical name for {@code name}, or null when unknown. */
    static String canonical(String name) {
        if (name.equals("seccomp")) {
            return "systrap";
        }
        return ALL.stream().anyMatch(p -> p.name().equals(name)) ? name : null;
    }

    /** Fails clearly when the named platform cannot run a workload yet. */
    static void requireAvailable(String name) {
        for (Info p : ALL) {
            if (p.name().equals(name) && !p.available()) {
                throw new CliException("platform " + name + " is not available yet; use --platform=ptrace "
                        + "(see 'jrunsc help platforms')");
            }
        }
    }

    static final class Converter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String name = canonical(value);
            if (name == null) {
                throw new TypeConversionException("unknown platform '" + value + "' (known: ptrace, systrap, kvm)");
            }
            return name;
        }
    }
}
