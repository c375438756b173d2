package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.Task;

/** Syscall handlers. PLACEHOLDER bodies return ENOSYS until implemented. */
final class FileSyscalls {
    private FileSyscalls() {}

    /** Implements read(2). PLACEHOLDER until its owner fills it in. */
    public static long read(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements write(2). PLACEHOLDER until its owner fills it in. */
    public static long write(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements readv(2). PLACEHOLDER until its owner fills it in. */
    public static long readv(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements writev(2). PLACEHOLDER until its owner fills it in. */
    public static long writev(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements pread64(2). PLACEHOLDER until its owner fills it in. */
    public static long pread64(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements pwrite64(2). PLACEHOLDER until its owner fills it in. */
    public static long pwrite64(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements open(2). PLACEHOLDER until its owner fills it in. */
    public static long open(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements openat(2). PLACEHOLDER until its owner fills it in. */
    public static long openat(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements close(2). PLACEHOLDER until its owner fills it in. */
    public static long close(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements stat(2). PLACEHOLDER until its owner fills it in. */
    public static long stat(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements lstat(2). PLACEHOLDER until its owner fills it in. */
    public static long lstat(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements fstat(2). PLACEHOLDER until its owner fills it in. */
    public static long fstat(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements newfstatat(2). PLACEHOLDER until its owner fills it in. */
    public static long newfstatat(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements statx(2). PLACEHOLDER until its owner fills it in. */
    public static long statx(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements lseek(2). PLACEHOLDER until its owner fills it in. */
    public static long lseek(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getdents64(2). PLACEHOLDER until its owner fills it in. */
    public static long getdents64(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements readlink(2). PLACEHOLDER until its owner fills it in. */
    public static long readlink(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements readlinkat(2). PLACEHOLDER until its owner fills it in. */
    public static long readlinkat(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements getcwd(2). PLACEHOLDER until its owner fills it in. */
    public static long getcwd(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements chdir(2). PLACEHOLDER until its owner fills it in. */
    public static long chdir(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements fchdir(2). PLACEHOLDER until its owner fills it in. */
    public static long fchdir(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements access(2). PLACEHOLDER until its owner fills it in. */
    public static long access(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements faccessat(2). PLACEHOLDER until its owner fills it in. */
    public static long faccessat(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements faccessat2(2). PLACEHOLDER until its owner fills it in. */
    public static long faccessat2(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements fcntl(2). PLACEHOLDER until its owner fills it in. */
    public static long fcntl(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements dup(2). PLACEHOLDER until its owner fills it in. */
    public static long dup(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements dup2(2). PLACEHOLDER until its owner fills it in. */
    public static long dup2(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements dup3(2). PLACEHOLDER until its owner fills it in. */
    public static long dup3(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements ioctl(2). PLACEHOLDER until its owner fills it in. */
    public static long ioctl(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }

    /** Implements umask(2). PLACEHOLDER until its owner fills it in. */
    public static long umask(Task t, SyscallArguments a) {
        return Errno.ENOSYS.ret();
    }
}
