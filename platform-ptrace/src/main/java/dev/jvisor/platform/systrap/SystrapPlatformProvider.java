package dev.jvisor.platform.systrap;

import dev.jvisor.abi.Host;
import dev.jvisor.sentry.platform.Platform;
import dev.jvisor.sentry.platform.PlatformProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Registers the systrap platform with the sentry (META-INF/services). */
public final class SystrapPlatformProvider implements PlatformProvider {
    private static final int PR_GET_SECCOMP = 21;

    @Override
    public String name() {
        return "systrap";
    }

    @Override
    public List<String> aliases() {
        return List.of("seccomp");
    }

    /**
     * systrap needs what ptrace needs (stubs are made with ptrace), seccomp filters, and user-mode
     * {@code rdfsbase/wrfsbase} (the handler saves and loads the FS/GS bases with them: Linux 5.9+ on a CPU
     * with FSGSBASE).
     */
    @Override
    public boolean available() {
        return unavailableReason() == null;
    }

    @Override
    public String unavailableReason() {
        if (!"amd64".equals(System.getProperty("os.arch"))) {
            return "the systrap platform needs an x86-64 host";
        }
        if (Host.prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 1) {
            return "the sentry runs in strict seccomp mode";
        }
        if (!cpuHasFsgsbase()) {
            return "the CPU or kernel does not allow user-mode FSGSBASE instructions";
        }
        return null;
    }

    private static boolean cpuHasFsgsbase() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")).contains("fsgsbase");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    @Override
    public Platform create(int memoryFileFd) {
        return SystrapPlatform.create(memoryFileFd);
    }
}
