package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.Task;

/** Syscall handlers. PLACEHOLDER bodies return ENOSYS until implemented. */
final class TimeSyscalls {
    private TimeSyscalls() {}

    /** Implements clockGettime(2). PLACEHOLDER until its owner fills it in. */
    public static long clockGettime(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements clockGetres(2). PLACEHOLDER until its owner fills it in. */
    public static long clockGetres(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements gettimeofday(2). PLACEHOLDER until its owner fills it in. */
    public static long gettimeofday(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements time(2). PLACEHOLDER until its owner fills it in. */
    public static long time(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements nanosleep(2). PLACEHOLDER until its owner fills it in. */
    public static long nanosleep(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements clockNanosleep(2). PLACEHOLDER until its owner fills it in. */
    public static long clockNanosleep(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }
}
