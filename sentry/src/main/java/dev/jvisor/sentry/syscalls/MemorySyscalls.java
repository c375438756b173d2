package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.Task;

/** Syscall handlers. PLACEHOLDER bodies return ENOSYS until implemented. */
final class MemorySyscalls {
    private MemorySyscalls() {}

    /** Implements brk(2). PLACEHOLDER until its owner fills it in. */
    public static long brk(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements mmap(2). PLACEHOLDER until its owner fills it in. */
    public static long mmap(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements munmap(2). PLACEHOLDER until its owner fills it in. */
    public static long munmap(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements mprotect(2). PLACEHOLDER until its owner fills it in. */
    public static long mprotect(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements mremap(2). PLACEHOLDER until its owner fills it in. */
    public static long mremap(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements madvise(2). PLACEHOLDER until its owner fills it in. */
    public static long madvise(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements archPrctl(2). PLACEHOLDER until its owner fills it in. */
    public static long archPrctl(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }
}
