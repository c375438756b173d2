package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.fs.pipe.Pipe;
import dev.jvisor.sentry.fs.pipe.PipeFileDescription;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FdTable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** pipe(2) and pipe2(2). */
final class PipeSyscalls {
    private PipeSyscalls() {}

    private static final int PIPE2_FLAGS = Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK | Fcntl.O_DIRECT;

    /** Implements pipe(2). */
    static long pipe(Task t, SyscallArguments a) {
        return makePipe(t, a.a0, 0);
    }

    /** Implements pipe2(2). */
    static long pipe2(Task t, SyscallArguments a) {
        int flags = a.i(1);
        if ((flags & ~PIPE2_FLAGS) != 0) {
            return Errno.EINVAL.ret();
        }
        return makePipe(t, a.a0, flags);
    }

    private static long makePipe(Task t, long fdsAddr, int flags) {
        Pipe p = new Pipe(t.creds().fsuid, t.creds().fsgid);
        int status = flags & (Fcntl.O_NONBLOCK | Fcntl.O_DIRECT);
        PipeFileDescription r = new PipeFileDescription(p, Fcntl.O_RDONLY | status);
        PipeFileDescription w = new PipeFileDescription(p, Fcntl.O_WRONLY | status);
        boolean cloexec = (flags & Fcntl.O_CLOEXEC) != 0;
        FdTable table = t.fdTable();
        long limit = FileSyscalls.nofile(t);
        int rfd = table.install(r, cloexec, limit);
        if (rfd < 0) {
            r.decRef();
            w.decRef();
            return rfd;
        }
        int wfd = table.install(w, cloexec, limit);
        if (wfd < 0) {
            table.close(rfd);
            w.decRef();
            return wfd;
        }
        MemorySegment s = t.scratch();
        s.set(ValueLayout.JAVA_INT, 0, rfd);
        s.set(ValueLayout.JAVA_INT, 4, wfd);
        try {
            t.mm().copyOut(fdsAddr, s, 8);
        } catch (RuntimeException e) {
            table.close(rfd);
            table.close(wfd);
            throw e;
        }
        return 0;
    }
}
