package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.Task;

/** Syscall handlers. PLACEHOLDER bodies return ENOSYS until implemented. */
final class ProcessSyscalls {
    private ProcessSyscalls() {}

    /** Implements exit(2). PLACEHOLDER until its owner fills it in. */
    public static long exit(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements exitGroup(2). PLACEHOLDER until its owner fills it in. */
    public static long exitGroup(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getpid(2). PLACEHOLDER until its owner fills it in. */
    public static long getpid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getppid(2). PLACEHOLDER until its owner fills it in. */
    public static long getppid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements gettid(2). PLACEHOLDER until its owner fills it in. */
    public static long gettid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setTidAddress(2). PLACEHOLDER until its owner fills it in. */
    public static long setTidAddress(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setRobustList(2). PLACEHOLDER until its owner fills it in. */
    public static long setRobustList(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements prlimit64(2). PLACEHOLDER until its owner fills it in. */
    public static long prlimit64(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getrlimit(2). PLACEHOLDER until its owner fills it in. */
    public static long getrlimit(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setrlimit(2). PLACEHOLDER until its owner fills it in. */
    public static long setrlimit(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements uname(2). PLACEHOLDER until its owner fills it in. */
    public static long uname(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements sysinfo(2). PLACEHOLDER until its owner fills it in. */
    public static long sysinfo(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getuid(2). PLACEHOLDER until its owner fills it in. */
    public static long getuid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements geteuid(2). PLACEHOLDER until its owner fills it in. */
    public static long geteuid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getgid(2). PLACEHOLDER until its owner fills it in. */
    public static long getgid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getegid(2). PLACEHOLDER until its owner fills it in. */
    public static long getegid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getresuid(2). PLACEHOLDER until its owner fills it in. */
    public static long getresuid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getresgid(2). PLACEHOLDER until its owner fills it in. */
    public static long getresgid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setuid(2). PLACEHOLDER until its owner fills it in. */
    public static long setuid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setgid(2). PLACEHOLDER until its owner fills it in. */
    public static long setgid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setreuid(2). PLACEHOLDER until its owner fills it in. */
    public static long setreuid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setregid(2). PLACEHOLDER until its owner fills it in. */
    public static long setregid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setresuid(2). PLACEHOLDER until its owner fills it in. */
    public static long setresuid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setresgid(2). PLACEHOLDER until its owner fills it in. */
    public static long setresgid(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getgroups(2). PLACEHOLDER until its owner fills it in. */
    public static long getgroups(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements setgroups(2). PLACEHOLDER until its owner fills it in. */
    public static long setgroups(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements schedGetaffinity(2). PLACEHOLDER until its owner fills it in. */
    public static long schedGetaffinity(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements schedYield(2). PLACEHOLDER until its owner fills it in. */
    public static long schedYield(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getrandom(2). PLACEHOLDER until its owner fills it in. */
    public static long getrandom(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }
}
