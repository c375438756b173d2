package dev.jvisor.platform.ptrace;

import dev.jvisor.abi.Host;
import dev.jvisor.sentry.platform.Platform;
import dev.jvisor.sentry.platform.PlatformProvider;

/** Registers the ptrace platform with the sentry (META-INF/services). */
public final class PtracePlatformProvider implements PlatformProvider {
    private static final int PR_GET_SECCOMP = 21;

    @Override
    public String name() {
        return "ptrace";
    }

    /**
     * ptrace needs PTRACE_SYSEMU on x86-64 and a process that is not itself in strict seccomp mode; the rest
     * (yama ptrace_scope 3, a seccomp filter that denies ptrace) shows up when the first stub is created.
     */
    @Override
    public boolean available() {
        return "amd64".equals(System.getProperty("os.arch")) && Host.prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 1;
    }

    @Override
    public String unavailableReason() {
        return "the ptrace platform needs an x86-64 host and a process not in strict seccomp mode";
    }

    @Override
    public Platform create(int memoryFileFd) {
        return PtracePlatform.create(memoryFileFd);
    }
}
