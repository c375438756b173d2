package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.sentry.platform.PlatformProvider;
import java.util.List;
import java.util.ServiceLoader;
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
                    + "(alias: seccomp); the default where the host supports it"),
            new Info("kvm", false, "workload in guest ring 3 of a KVM virtual machine; needs /dev/kvm"));

    /**
     * The platform to use when --platform is not given: systrap, as in runsc, when this host supports it (x86-64,
     * seccomp, user-mode FSGSBASE); else ptrace, with a debug-log line saying why.
     */
    static String defaultName() {
        for (PlatformProvider p : ServiceLoader.load(PlatformProvider.class)) {
            if (p.name().equals("systrap")) {
                if (p.available()) {
                    return "systrap";
                }
                Log.debug("platform: systrap is not supported here (" + p.unavailableReason()
                        + "); falling back to ptrace");
                return "ptrace";
            }
        }
        Log.debug("platform: no systrap platform in this build; falling back to ptrace");
        return "ptrace";
    }

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
