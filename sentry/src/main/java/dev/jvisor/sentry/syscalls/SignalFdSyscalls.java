package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.fs.signalfd.SignalFileDescription;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;

/** signalfd(2) and signalfd4(2). */
final class SignalFdSyscalls {
    private SignalFdSyscalls() {}

    private static final int SFD_CLOEXEC = Fcntl.O_CLOEXEC, SFD_NONBLOCK = Fcntl.O_NONBLOCK;

    /** Implements signalfd(2): signalfd4 with no flags. */
    static long signalfd(Task t, SyscallArguments a) {
        return make(t, a.i(0), a.a1, a.a2, 0);
    }

    /** Implements signalfd4(2). */
    static long signalfd4(Task t, SyscallArguments a) {
        return make(t, a.i(0), a.a1, a.a2, a.i(3));
    }

    private static long make(Task t, int fd, long maskAddr, long size, int flags) {
        if ((flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) != 0 || size != 8) {
            return Errno.EINVAL.ret();
        }
        long mask = t.mm().readLong(maskAddr);
        if (fd == -1) {
            FileDescription f = new SignalFileDescription(mask, (flags & SFD_NONBLOCK) != 0);
            return EventSyscalls.install(t, f, (flags & SFD_CLOEXEC) != 0);
        }
        FileDescription f = t.fdTable().get(fd);
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (!(f instanceof SignalFileDescription sf)) {
                return Errno.EINVAL.ret();
            }
            sf.mask(mask);
            return fd;
        } finally {
            f.decRef();
        }
    }
}
