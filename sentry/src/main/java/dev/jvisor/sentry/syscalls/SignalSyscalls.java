package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.Task;

/** Syscall handlers. PLACEHOLDER bodies return ENOSYS until implemented. */
final class SignalSyscalls {
    private SignalSyscalls() {}

    /** Implements rtSigaction(2). PLACEHOLDER until its owner fills it in. */
    public static long rtSigaction(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements rtSigprocmask(2). PLACEHOLDER until its owner fills it in. */
    public static long rtSigprocmask(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }
}
