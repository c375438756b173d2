package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Poll;
import dev.jvisor.abi.Stat;
import dev.jvisor.abi.Statx;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Rlimits;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.VirtualDentry;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.lang.foreign.MemorySegment;

/**
 * File syscalls: argument decoding and checks in the order Linux makes them; the work is in package vfs.
 * Path errors (ENOENT, EACCES...) come up as thrown ErrnoExceptions, which the dispatcher turns into -errno.
 */
final class FileSyscalls {
    private FileSyscalls() {}

    /** Linux caps one read or write at this many bytes (MAX_RW_COUNT). */
    static final long MAX_RW_COUNT = 0x7ffff000L;
    /** Most iovecs one readv/writev takes (UIO_MAXIOV). */
    static final int UIO_MAXIOV = 1024;
    /** Most bytes one getdents64 fills here; enough for any one entry, and Linux may return fewer too. */
    static final int GETDENTS_CHUNK = 32 * 1024;

    private static long rwCount(long count) {
        return Long.compareUnsigned(count, MAX_RW_COUNT) > 0 ? MAX_RW_COUNT : count;
    }

    /** The RLIMIT_NOFILE soft limit as a bound on fd numbers. */
    static long nofile(Task t) {
        long lim = t.threadGroup().rlimits().soft(Rlimits.NOFILE);
        return lim < 0 || lim > Integer.MAX_VALUE ? Integer.MAX_VALUE : lim;
    }

    /** A path argument: EFAULT for a bad pointer, ENAMETOOLONG when no NUL comes within PATH_MAX. */
    static String path(Task t, long addr) {
        return t.mm().readCString(addr, VirtualFilesystem.PATH_MAX - 1);
    }

    private static VirtualFilesystem vfs(Task t) {
        return t.kernel().vfs();
    }

    // ---- read and write -------------------------------------------------------------------------------------

    /** Implements read(2). */
    public static long read(Task t, SyscallArguments a) {
        return sequential(t, a, true);
    }

    /** Implements write(2). */
    public static long write(Task t, SyscallArguments a) {
        return sequential(t, a, false);
    }

    /** read(2) and write(2): the fd's own offset, one user buffer, checked with access_ok first as Linux does. */
    private static long sequential(Task t, SyscallArguments a, boolean isRead) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (isRead ? !f.readable() : !f.writable()) {
                return Errno.EBADF.ret();
            }
            if (!Mman.accessOk(a.a1, a.a2)) {
                return Errno.EFAULT.ret();
            }
            long count = rwCount(a.a2);
            if (count == 0) {
                return isRead ? f.read(MemorySegment.NULL) : f.write(MemorySegment.NULL);
            }
            return isRead ? f.readToUser(t.mm(), a.a1, count) : f.writeFromUser(t.mm(), a.a1, count);
        } finally {
            f.decRef();
        }
    }

    /** Implements readv(2). */
    public static long readv(Task t, SyscallArguments a) {
        return vectored(t, a, true);
    }

    /** Implements writev(2). */
    public static long writev(Task t, SyscallArguments a) {
        return vectored(t, a, false);
    }

    private static long vectored(Task t, SyscallArguments a, boolean isRead) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (isRead ? !f.readable() : !f.writable()) {
                return Errno.EBADF.ret();
            }
            int cnt = a.i(2);
            if (cnt < 0 || cnt > UIO_MAXIOV) {
                return Errno.EINVAL.ret();
            }
            MemoryManager mm = t.mm();
            long[] bases = new long[cnt];
            long[] lens = new long[cnt];
            long total = 0;
            for (int k = 0; k < cnt; k++) {
                bases[k] = mm.readLong(a.a1 + 16L * k);
                lens[k] = mm.readLong(a.a1 + 16L * k + 8);
                if (lens[k] < 0) {
                    return Errno.EINVAL.ret();
                }
                if (!Mman.accessOk(bases[k], lens[k])) {
                    return Errno.EFAULT.ret();
                }
                total += lens[k];
                if (total < 0) {
                    return Errno.EINVAL.ret();
                }
            }
            if (total == 0) {
                return isRead ? f.read(MemorySegment.NULL) : f.write(MemorySegment.NULL);
            }
            long done = 0;
            for (int k = 0; k < cnt && done < MAX_RW_COUNT; k++) {
                long len = Math.min(lens[k], MAX_RW_COUNT - done);
                if (len == 0) {
                    continue;
                }
                if (done > 0 && isRead && (f.readiness(Poll.POLLIN) & (Poll.POLLIN | Poll.POLLHUP)) == 0) {
                    break; // one readv(2) waits at most once, before its first byte (a pipe, a host fd)
                }
                long n = isRead ? f.readToUser(mm, bases[k], len) : f.writeFromUser(mm, bases[k], len);
                if (n < 0) {
                    return done > 0 ? done : n;
                }
                done += n;
                if (n < len) {
                    break;
                }
            }
            return done;
        } finally {
            f.decRef();
        }
    }

    /** Implements pread64(2). */
    public static long pread64(Task t, SyscallArguments a) {
        return positional(t, a, true);
    }

    /** Implements pwrite64(2). */
    public static long pwrite64(Task t, SyscallArguments a) {
        return positional(t, a, false);
    }

    private static long positional(Task t, SyscallArguments a, boolean isRead) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (isRead ? !f.readable() : !f.writable()) {
                return Errno.EBADF.ret();
            }
            long offset = a.a3;
            if (!Mman.accessOk(a.a1, a.a2)) {
                return Errno.EFAULT.ret();
            }
            if (offset < 0) {
                return Errno.EINVAL.ret();
            }
            long count = rwCount(a.a2);
            if (count == 0) {
                return isRead ? f.pread(MemorySegment.NULL, offset) : f.pwrite(MemorySegment.NULL, offset);
            }
            long[] pos = {offset};
            return t.mm().io(a.a1, count, isRead, seg -> {
                long n = isRead ? f.pread(seg, pos[0]) : f.pwrite(seg, pos[0]);
                if (n > 0) {
                    pos[0] += n;
                }
                return n;
            });
        } finally {
            f.decRef();
        }
    }

    // ---- open and close -------------------------------------------------------------------------------------

    /** Implements open(2). */
    public static long open(Task t, SyscallArguments a) {
        return doOpen(t, Fcntl.AT_FDCWD, a.a0, a.i(1), a.i(2));
    }

    /** Implements openat(2). */
    public static long openat(Task t, SyscallArguments a) {
        return doOpen(t, a.i(0), a.a1, a.i(2), a.i(3));
    }

    private static long doOpen(Task t, int dirfd, long pathAddr, int flags, int mode) {
        String p = path(t, pathAddr);
        FileDescription f = vfs(t).open(t, dirfd, p, flags, mode);
        int fd = t.fdTable().install(f, (flags & Fcntl.O_CLOEXEC) != 0, nofile(t));
        if (fd < 0) {
            f.decRef();
        }
        return fd;
    }

    /** Implements close(2). */
    public static long close(Task t, SyscallArguments a) {
        return t.fdTable().close(a.i(0));
    }

    // ---- stat -----------------------------------------------------------------------------------------------

    /** Implements stat(2). */
    public static long stat(Task t, SyscallArguments a) {
        return statPath(t, Fcntl.AT_FDCWD, a.a0, a.a1, 0);
    }

    /** Implements lstat(2). */
    public static long lstat(Task t, SyscallArguments a) {
        return statPath(t, Fcntl.AT_FDCWD, a.a0, a.a1, Fcntl.AT_SYMLINK_NOFOLLOW);
    }

    /** Implements fstat(2). */
    public static long fstat(Task t, SyscallArguments a) {
        Kstat k = new Kstat();
        long r = statFd(t, a.i(0), k);
        return r < 0 ? r : copyStat(t, k, a.a1);
    }

    /** Implements newfstatat(2). */
    public static long newfstatat(Task t, SyscallArguments a) {
        int flags = a.i(3);
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH | Fcntl.AT_NO_AUTOMOUNT)) != 0) {
            return Errno.EINVAL.ret();
        }
        return statPath(t, a.i(0), a.a1, a.a2, flags);
    }

    private static long statPath(Task t, int dirfd, long pathAddr, long statAddr, int flags) {
        Kstat k = new Kstat();
        long r = statAt(t, dirfd, pathAddr, flags, k);
        return r < 0 ? r : copyStat(t, k, statAddr);
    }

    /** Fills {@code k} for a path, or for dirfd itself given AT_EMPTY_PATH and an empty (or NULL) path. */
    private static long statAt(Task t, int dirfd, long pathAddr, int flags, Kstat k) {
        boolean emptyOk = (flags & Fcntl.AT_EMPTY_PATH) != 0;
        String p = pathAddr == 0 && emptyOk ? "" : path(t, pathAddr);
        if (p.isEmpty()) {
            if (!emptyOk) {
                return Errno.ENOENT.ret();
            }
            if (dirfd == Fcntl.AT_FDCWD) {
                VirtualFilesystem.stat(t.fs().cwd(), k);
                return 0;
            }
            return statFd(t, dirfd, k);
        }
        boolean follow = (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0;
        VirtualFilesystem.stat(vfs(t).resolveAt(t, dirfd, p, follow), k);
        return 0;
    }

    private static long statFd(Task t, int fd, Kstat k) {
        FileDescription f = t.fdTable().get(fd);
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            return f.stat(k);
        } finally {
            f.decRef();
        }
    }

    private static long copyStat(Task t, Kstat k, long addr) {
        MemorySegment st = MemorySegment.ofArray(new byte[(int) Stat.SIZE]);
        k.encodeStat(st);
        t.mm().copyOut(addr, st, Stat.SIZE);
        return 0;
    }

    /** Implements statx(2). */
    public static long statx(Task t, SyscallArguments a) {
        int flags = a.i(2);
        int mask = a.i(3);
        int known = Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH | Fcntl.AT_NO_AUTOMOUNT
                | Fcntl.AT_STATX_SYNC_TYPE;
        if ((flags & ~known) != 0 || (flags & Fcntl.AT_STATX_SYNC_TYPE) == Fcntl.AT_STATX_SYNC_TYPE
                || (mask & Statx.STATX__RESERVED) != 0) {
            return Errno.EINVAL.ret();
        }
        Kstat k = new Kstat();
        long r = statAt(t, a.i(0), a.a1, flags, k);
        if (r < 0) {
            return r;
        }
        MemorySegment stx = MemorySegment.ofArray(new byte[(int) Statx.SIZE]);
        k.encodeStatx(stx);
        t.mm().copyOut(a.a4, stx, Statx.SIZE);
        return 0;
    }

    // ---- offsets and directories ----------------------------------------------------------------------------

    /** Implements lseek(2). */
    public static long lseek(Task t, SyscallArguments a) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            // ksys_lseek rejects an unknown whence (an unsigned int) before any file sees it.
            if (Integer.compareUnsigned(a.i(2), Fcntl.SEEK_MAX) > 0) {
                return Errno.EINVAL.ret();
            }
            return f.seek(a.a1, a.i(2));
        } finally {
            f.decRef();
        }
    }

    /** Implements getdents64(2). */
    public static long getdents64(Task t, SyscallArguments a) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            long count = a.a2 & 0xffffffffL;
            MemorySegment buf = MemorySegment.ofArray(new byte[(int) Math.min(count, GETDENTS_CHUNK)]);
            long n = f.getdents(buf);
            if (n > 0) {
                t.mm().copyOut(a.a1, buf, n);
            }
            return n;
        } finally {
            f.decRef();
        }
    }

    // ---- symlinks -------------------------------------------------------------------------------------------

    /** Implements readlink(2). */
    public static long readlink(Task t, SyscallArguments a) {
        return doReadlink(t, Fcntl.AT_FDCWD, a.a0, a.a1, a.i(2));
    }

    /** Implements readlinkat(2). */
    public static long readlinkat(Task t, SyscallArguments a) {
        return doReadlink(t, a.i(0), a.a1, a.a2, a.i(3));
    }

    private static long doReadlink(Task t, int dirfd, long pathAddr, long buf, int bufsiz) {
        if (bufsiz <= 0) {
            return Errno.EINVAL.ret();
        }
        String p = path(t, pathAddr);
        VirtualDentry vd;
        if (p.isEmpty()) {
            // An O_PATH|O_NOFOLLOW fd of a symlink with an empty path reads that link (Linux 2.6.39+).
            if (dirfd == Fcntl.AT_FDCWD) {
                return Errno.ENOENT.ret();
            }
            FileDescription f = t.fdTable().get(dirfd);
            if (f == null) {
                return Errno.EBADF.ret();
            }
            try {
                vd = f.path();
            } finally {
                f.decRef();
            }
            if (vd == null || !vd.inode().isSymlink()) {
                return Errno.ENOENT.ret();
            }
        } else {
            vd = vfs(t).resolveAt(t, dirfd, p, false);
        }
        byte[] target = vfs(t).readlink(t, vd).getBytes(VirtualFilesystem.NAME_CHARSET);
        int n = Math.min(target.length, bufsiz);
        t.mm().writeBytes(buf, target, 0, n);
        return n;
    }

    // ---- working directory ----------------------------------------------------------------------------------

    /** Implements getcwd(2): the length including the NUL, or ERANGE when it does not fit. */
    public static long getcwd(Task t, SyscallArguments a) {
        String cwd = vfs(t).pathname(t.fs().cwd(), t.fs().root());
        byte[] b = cwd.getBytes(VirtualFilesystem.NAME_CHARSET);
        long size = a.a1;
        if (Long.compareUnsigned(size, b.length + 1) < 0) {
            return Errno.ERANGE.ret();
        }
        byte[] withNul = new byte[b.length + 1];
        System.arraycopy(b, 0, withNul, 0, b.length);
        t.mm().writeBytes(a.a0, withNul, 0, withNul.length);
        return withNul.length;
    }

    /** Implements chdir(2). */
    public static long chdir(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        return enter(t, vfs(t).resolveAt(t, Fcntl.AT_FDCWD, p, true));
    }

    /** Implements fchdir(2). */
    public static long fchdir(Task t, SyscallArguments a) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            VirtualDentry vd = f.path();
            return vd == null ? Errno.ENOTDIR.ret() : enter(t, vd);
        } finally {
            f.decRef();
        }
    }

    private static long enter(Task t, VirtualDentry vd) {
        if (!vd.inode().isDir()) {
            return Errno.ENOTDIR.ret();
        }
        int r = vd.inode().permission(t.creds(), Fcntl.X_OK);
        if (r != 0) {
            return r;
        }
        t.fs().cwd(vd);
        return 0;
    }

    // ---- access ---------------------------------------------------------------------------------------------

    /** Implements access(2). */
    public static long access(Task t, SyscallArguments a) {
        return doAccess(t, Fcntl.AT_FDCWD, a.a0, a.i(1), 0);
    }

    /** Implements faccessat(2) (the syscall has no flags argument). */
    public static long faccessat(Task t, SyscallArguments a) {
        return doAccess(t, a.i(0), a.a1, a.i(2), 0);
    }

    /** Implements faccessat2(2). */
    public static long faccessat2(Task t, SyscallArguments a) {
        return doAccess(t, a.i(0), a.a1, a.i(2), a.i(3));
    }

    private static long doAccess(Task t, int dirfd, long pathAddr, int mode, int flags) {
        if ((mode & ~(Fcntl.R_OK | Fcntl.W_OK | Fcntl.X_OK)) != 0) {
            return Errno.EINVAL.ret();
        }
        if ((flags & ~(Fcntl.AT_EACCESS | Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            return Errno.EINVAL.ret();
        }
        String p = path(t, pathAddr);
        VirtualDentry vd;
        if (p.isEmpty()) {
            if ((flags & Fcntl.AT_EMPTY_PATH) == 0) {
                return Errno.ENOENT.ret();
            }
            if (dirfd == Fcntl.AT_FDCWD) {
                vd = t.fs().cwd();
            } else {
                FileDescription f = t.fdTable().get(dirfd);
                if (f == null) {
                    return Errno.EBADF.ret();
                }
                try {
                    vd = f.path();
                } finally {
                    f.decRef();
                }
                if (vd == null) {
                    // A host fd: its permissions are the host's business; it was opened, so it exists.
                    return mode == Fcntl.F_OK ? 0 : Errno.EACCES.ret();
                }
            }
        } else {
            vd = vfs(t).resolveAt(t, dirfd, p, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
        }
        Credentials c = t.creds();
        boolean effective = (flags & Fcntl.AT_EACCESS) != 0;
        return vfs(t).access(vd, mode, effective ? c.fsuid : c.uid, effective ? c.fsgid : c.gid, c.groups);
    }

    // ---- descriptors ----------------------------------------------------------------------------------------

    /** Implements fcntl(2): F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL. */
    public static long fcntl(Task t, SyscallArguments a) {
        int fd = a.i(0);
        FdTable table = t.fdTable();
        FileDescription f = table.get(fd);
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            switch (a.i(1)) {
                case Fcntl.F_DUPFD, Fcntl.F_DUPFD_CLOEXEC -> {
                    long limit = nofile(t);
                    if (Long.compareUnsigned(a.a2, limit) >= 0) {
                        return Errno.EINVAL.ret();
                    }
                    return table.dup(fd, (int) a.a2, a.i(1) == Fcntl.F_DUPFD_CLOEXEC, limit);
                }
                case Fcntl.F_GETFD -> {
                    int c = table.getCloexec(fd);
                    return c < 0 ? c : c == 1 ? Fcntl.FD_CLOEXEC : 0;
                }
                case Fcntl.F_SETFD -> {
                    return table.setCloexec(fd, (a.a2 & Fcntl.FD_CLOEXEC) != 0);
                }
                case Fcntl.F_GETFL -> {
                    return f.flags();
                }
                case Fcntl.F_SETFL -> {
                    if (f.isPath()) {
                        return Errno.EBADF.ret();
                    }
                    f.setStatusFlags(a.i(2));
                    return 0;
                }
                default -> {
                    return f.fcntl(t, a.i(1), a.a2);
                }
            }
        } finally {
            f.decRef();
        }
    }

    /** Implements dup(2). */
    public static long dup(Task t, SyscallArguments a) {
        return t.fdTable().dup(a.i(0), 0, false, nofile(t));
    }

    /** Implements dup2(2). */
    public static long dup2(Task t, SyscallArguments a) {
        int oldFd = a.i(0);
        int newFd = a.i(1);
        if (oldFd == newFd) {
            return t.fdTable().isOpen(oldFd) ? newFd : Errno.EBADF.ret();
        }
        return t.fdTable().dupTo(oldFd, newFd, false, nofile(t));
    }

    /** Implements dup3(2). */
    public static long dup3(Task t, SyscallArguments a) {
        int flags = a.i(2);
        if ((flags & ~Fcntl.O_CLOEXEC) != 0 || a.i(0) == a.i(1)) {
            return Errno.EINVAL.ret();
        }
        return t.fdTable().dupTo(a.i(0), a.i(1), flags != 0, nofile(t));
    }

    /** Implements ioctl(2): FIOCLEX, FIONCLEX and FIONBIO for any file; the rest as the file says. */
    public static long ioctl(Task t, SyscallArguments a) {
        int fd = a.i(0);
        FileDescription f = t.fdTable().get(fd);
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (f.isPath()) {
                return Errno.EBADF.ret();
            }
            int request = a.i(1);
            switch (request) {
                case Ioctls.FIOCLEX -> {
                    return t.fdTable().setCloexec(fd, true);
                }
                case Ioctls.FIONCLEX -> {
                    return t.fdTable().setCloexec(fd, false);
                }
                case Ioctls.FIONBIO -> {
                    int on = t.mm().readInt(a.a2);
                    int fl = f.flags();
                    f.setStatusFlags(on != 0 ? fl | Fcntl.O_NONBLOCK : fl & ~Fcntl.O_NONBLOCK);
                    return 0;
                }
                default -> {
                    return f.ioctl(t, request, a.a2);
                }
            }
        } finally {
            f.decRef();
        }
    }

    /** Implements umask(2). */
    public static long umask(Task t, SyscallArguments a) {
        return t.fs().umask(a.i(0) & 0777);
    }
}
