package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.fs.eventfd.EventFileDescription;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;

/** eventfd(2) and eventfd2(2). */
final class EventSyscalls {
    private EventSyscalls() {}

    private static final int FLAGS = Poll.EFD_SEMAPHORE | Poll.EFD_CLOEXEC | Poll.EFD_NONBLOCK;

    /** Implements eventfd(2): eventfd2 with no flags. */
    static long eventfd(Task t, SyscallArguments a) {
        return make(t, a.a0 & 0xffffffffL, 0);
    }

    /** Implements eventfd2(2). */
    static long eventfd2(Task t, SyscallArguments a) {
        int flags = a.i(1);
        if ((flags & ~FLAGS) != 0) {
            return Errno.EINVAL.ret();
        }
        return make(t, a.a0 & 0xffffffffL, flags);
    }

    private static long make(Task t, long initial, int flags) {
        FileDescription f = new EventFileDescription(initial, (flags & Poll.EFD_SEMAPHORE) != 0,
                (flags & Poll.EFD_NONBLOCK) != 0);
        return install(t, f, (flags & Poll.EFD_CLOEXEC) != 0);
    }

    /** Installs a new description at the lowest free fd; drops it on EMFILE. */
    static long install(Task t, FileDescription f, boolean cloexec) {
        int fd = t.fdTable().install(f, cloexec, FileSyscalls.nofile(t));
        if (fd < 0) {
            f.decRef();
        }
        return fd;
    }
}
