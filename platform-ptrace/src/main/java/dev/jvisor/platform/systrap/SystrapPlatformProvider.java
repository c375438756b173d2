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

    /** AT_HWCAP2 in the auxiliary vector has HWCAP2_FSGSBASE: the kernel (5.9+) lets user mode use them. */
    private static boolean cpuHasFsgsbase() {
        final long atHwcap2 = 26, hwcap2Fsgsbase = 1 << 1;
        try {
            java.nio.ByteBuffer auxv = java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv")))
                    .order(java.nio.ByteOrder.nativeOrder());
            while (auxv.remaining() >= 16) {
                long type = auxv.getLong();
                long value = auxv.getLong();
                if (type == atHwcap2) {
                    return (value & hwcap2Fsgsbase) != 0;
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
