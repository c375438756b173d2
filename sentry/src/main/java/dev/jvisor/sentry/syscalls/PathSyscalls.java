package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Namei;
import dev.jvisor.sentry.vfs.StatFs;
import dev.jvisor.sentry.vfs.VirtualDentry;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.lang.foreign.MemorySegment;

/**
 * Syscalls that change the tree or a file's attributes: mkdir, unlink, rmdir, rename, link, symlink, truncate,
 * chmod, chown, utimensat, fsync, statfs. Argument decoding here; the checks and the work in
 * {@link dev.jvisor.sentry.vfs.Namei} and the filesystems (a writable bind reaches the host through the gofer).
 */
final class PathSyscalls {
    private PathSyscalls() {}

    private static VirtualFilesystem vfs(Task t) {
        return t.kernel().vfs();
    }

    private static Namei namei(Task t) {
        return vfs(t).namei();
    }

    private static String path(Task t, long addr) {
        return FileSyscalls.path(t, addr);
    }

    private static VirtualDentry start(Task t, int dirfd, String p) {
        return vfs(t).start(t, dirfd, p);
    }

    // ---- names ----------------------------------------------------------------------------------------------

    /** Implements mkdir(2). */
    public static long mkdir(Task t, SyscallArguments a) {
        return mkdirAt(t, Fcntl.AT_FDCWD, a.a0, a.i(1));
    }

    /** Implements mkdirat(2). */
    public static long mkdirat(Task t, SyscallArguments a) {
        return mkdirAt(t, a.i(0), a.a1, a.i(2));
    }

    private static long mkdirAt(Task t, int dirfd, long pathAddr, int mode) {
        String p = path(t, pathAddr);
        vfs(t).mkdir(t, start(t, dirfd, p), p, mode);
        return 0;
    }

    /** Implements unlink(2). */
    public static long unlink(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        namei(t).unlink(t, start(t, Fcntl.AT_FDCWD, p), p);
        return 0;
    }

    /** Implements rmdir(2). */
    public static long rmdir(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        namei(t).rmdir(t, start(t, Fcntl.AT_FDCWD, p), p);
        return 0;
    }

    /** Implements unlinkat(2). */
    public static long unlinkat(Task t, SyscallArguments a) {
        int flags = a.i(2);
        if ((flags & ~Fcntl.AT_REMOVEDIR) != 0) {
            return Errno.EINVAL.ret();
        }
        String p = path(t, a.a1);
        VirtualDentry s = start(t, a.i(0), p);
        if ((flags & Fcntl.AT_REMOVEDIR) != 0) {
            namei(t).rmdir(t, s, p);
        } else {
            namei(t).unlink(t, s, p);
        }
        return 0;
    }

    /** Implements rename(2). */
    public static long rename(Task t, SyscallArguments a) {
        return renameAt(t, Fcntl.AT_FDCWD, a.a0, Fcntl.AT_FDCWD, a.a1, 0);
    }

    /** Implements renameat(2). */
    public static long renameat(Task t, SyscallArguments a) {
        return renameAt(t, a.i(0), a.a1, a.i(2), a.a3, 0);
    }

    /** Implements renameat2(2). */
    public static long renameat2(Task t, SyscallArguments a) {
        return renameAt(t, a.i(0), a.a1, a.i(2), a.a3, a.i(4));
    }

    private static long renameAt(Task t, int oldDirfd, long oldAddr, int newDirfd, long newAddr, int flags) {
        String op = path(t, oldAddr);
        String np = path(t, newAddr);
        namei(t).rename(t, start(t, oldDirfd, op), op, start(t, newDirfd, np), np, flags);
        return 0;
    }

    /** Implements link(2). */
    public static long link(Task t, SyscallArguments a) {
        return linkAt(t, Fcntl.AT_FDCWD, a.a0, Fcntl.AT_FDCWD, a.a1, 0);
    }

    /** Implements linkat(2). */
    public static long linkat(Task t, SyscallArguments a) {
        return linkAt(t, a.i(0), a.a1, a.i(2), a.a3, a.i(4));
    }

    private static long linkAt(Task t, int oldDirfd, long oldAddr, int newDirfd, long newAddr, int flags) {
        if ((flags & ~(Fcntl.AT_SYMLINK_FOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            return Errno.EINVAL.ret();
        }
        String op = path(t, oldAddr);
        VirtualDentry old;
        if (op.isEmpty() && (flags & Fcntl.AT_EMPTY_PATH) != 0) {
            // Linking an open file by its fd needs CAP_DAC_READ_SEARCH.
            if (t.creds().euid != 0) {
                return Errno.ENOENT.ret();
            }
            old = fdPath(t, oldDirfd);
            if (old == null) {
                return Errno.EBADF.ret();
            }
        } else {
            old = vfs(t).resolveAt(t, oldDirfd, op, (flags & Fcntl.AT_SYMLINK_FOLLOW) != 0);
        }
        String np = path(t, newAddr);
        namei(t).link(t, old, start(t, newDirfd, np), np);
        return 0;
    }

    /** The path an fd was opened through (AT_FDCWD: the cwd), or null for a bad fd or one with no path. */
    private static VirtualDentry fdPath(Task t, int fd) {
        if (fd == Fcntl.AT_FDCWD) {
            return t.fs().cwd();
        }
        FileDescription f = t.fdTable().get(fd);
        if (f == null) {
            return null;
        }
        try {
            return f.path();
        } finally {
            f.decRef();
        }
    }

    /** Implements symlink(2). */
    public static long symlink(Task t, SyscallArguments a) {
        return symlinkAt(t, a.a0, Fcntl.AT_FDCWD, a.a1);
    }

    /** Implements symlinkat(2). */
    public static long symlinkat(Task t, SyscallArguments a) {
        return symlinkAt(t, a.a0, a.i(1), a.a2);
    }

    private static long symlinkAt(Task t, long targetAddr, int dirfd, long pathAddr) {
        String target = path(t, targetAddr);
        String p = path(t, pathAddr);
        namei(t).symlink(t, target, start(t, dirfd, p), p);
        return 0;
    }

    // ---- attributes -----------------------------------------------------------------------------------------

    /** Implements truncate(2). */
    public static long truncate(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        namei(t).truncate(t, vfs(t).resolveAt(t, Fcntl.AT_FDCWD, p, true), a.a1);
        return 0;
    }

    /** Implements ftruncate(2). */
    public static long ftruncate(Task t, SyscallArguments a) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (a.a1 < 0 || f.isPath() || f.inode() == null || !f.inode().isRegular()) {
                return f.isPath() ? Errno.EBADF.ret() : Errno.EINVAL.ret();
            }
            return f.truncate(a.a1);
        } finally {
            f.decRef();
        }
    }

    /** Implements chmod(2). */
    public static long chmod(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        namei(t).chmod(t, vfs(t).resolveAt(t, Fcntl.AT_FDCWD, p, true), a.i(1));
        return 0;
    }

    /** Implements fchmodat(2) (the syscall has no flags argument). */
    public static long fchmodat(Task t, SyscallArguments a) {
        String p = path(t, a.a1);
        namei(t).chmod(t, vfs(t).resolveAt(t, a.i(0), p, true), a.i(2));
        return 0;
    }

    /** Implements fchmod(2). */
    public static long fchmod(Task t, SyscallArguments a) {
        VirtualDentry vd = ioFdPath(t, a.i(0));
        if (vd == null) {
            return Errno.EBADF.ret();
        }
        namei(t).chmod(t, vd, a.i(1));
        return 0;
    }

    /** The path of an fd open for I/O (not O_PATH), or null (EBADF) when there is none. */
    private static VirtualDentry ioFdPath(Task t, int fd) {
        FileDescription f = t.fdTable().get(fd);
        if (f == null) {
            return null;
        }
        try {
            return f.isPath() ? null : f.path();
        } finally {
            f.decRef();
        }
    }

    /** Implements chown(2). */
    public static long chown(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        namei(t).chown(t, vfs(t).resolveAt(t, Fcntl.AT_FDCWD, p, true), a.i(1), a.i(2));
        return 0;
    }

    /** Implements lchown(2). */
    public static long lchown(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        namei(t).chown(t, vfs(t).resolveAt(t, Fcntl.AT_FDCWD, p, false), a.i(1), a.i(2));
        return 0;
    }

    /** Implements fchown(2). */
    public static long fchown(Task t, SyscallArguments a) {
        VirtualDentry vd = ioFdPath(t, a.i(0));
        if (vd == null) {
            return Errno.EBADF.ret();
        }
        namei(t).chown(t, vd, a.i(1), a.i(2));
        return 0;
    }

    /** Implements fchownat(2). */
    public static long fchownat(Task t, SyscallArguments a) {
        int flags = a.i(4);
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            return Errno.EINVAL.ret();
        }
        VirtualDentry vd = atPath(t, a.i(0), a.a1, flags);
        if (vd == null) {
            return Errno.EBADF.ret();
        }
        namei(t).chown(t, vd, a.i(2), a.i(3));
        return 0;
    }

    /** The file an *at call with AT_EMPTY_PATH / AT_SYMLINK_NOFOLLOW names; null for a bad dirfd. */
    private static VirtualDentry atPath(Task t, int dirfd, long pathAddr, int flags) {
        String p = pathAddr == 0 && (flags & Fcntl.AT_EMPTY_PATH) != 0 ? "" : path(t, pathAddr);
        if (p.isEmpty()) {
            if ((flags & Fcntl.AT_EMPTY_PATH) == 0) {
                throw Errno.ENOENT.exception();
            }
            return fdPath(t, dirfd);
        }
        return vfs(t).resolveAt(t, dirfd, p, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
    }

    /** Implements utimensat(2); a NULL path means dirfd itself (futimens). */
    public static long utimensat(Task t, SyscallArguments a) {
        int flags = a.i(3);
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            return Errno.EINVAL.ret();
        }
        long[] times = null;
        if (a.a2 != 0) {
            times = new long[] {t.mm().readLong(a.a2), t.mm().readLong(a.a2 + 8), t.mm().readLong(a.a2 + 16),
                    t.mm().readLong(a.a2 + 24)};
            for (int k = 1; k < 4; k += 2) {
                long ns = times[k];
                if ((ns < 0 || ns > 999_999_999L) && ns != Namei.UTIME_NOW && ns != Namei.UTIME_OMIT) {
                    return Errno.EINVAL.ret();
                }
            }
        }
        VirtualDentry vd;
        if (a.a1 == 0) {
            if (a.i(0) == Fcntl.AT_FDCWD) {
                return Errno.EFAULT.ret();
            }
            vd = fdPath(t, a.i(0));
        } else {
            vd = atPath(t, a.i(0), a.a1, flags);
        }
        if (vd == null) {
            return Errno.EBADF.ret();
        }
        namei(t).utimens(t, vd, times);
        return 0;
    }

    /** Implements fsync(2). */
    public static long fsync(Task t, SyscallArguments a) {
        return sync(t, a.i(0), false);
    }

    /** Implements fdatasync(2). */
    public static long fdatasync(Task t, SyscallArguments a) {
        return sync(t, a.i(0), true);
    }

    private static long sync(Task t, int fd, boolean dataOnly) {
        FileDescription f = t.fdTable().get(fd);
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            return f.isPath() ? Errno.EBADF.ret() : f.sync(dataOnly);
        } finally {
            f.decRef();
        }
    }

    /** Implements statfs(2). */
    public static long statfs(Task t, SyscallArguments a) {
        String p = path(t, a.a0);
        return copyStatFs(t, Namei.statfs(vfs(t).resolveAt(t, Fcntl.AT_FDCWD, p, true)), a.a1);
    }

    /** Implements fstatfs(2). */
    public static long fstatfs(Task t, SyscallArguments a) {
        VirtualDentry vd = fdPath(t, a.i(0));
        if (vd == null) {
            return Errno.EBADF.ret();
        }
        return copyStatFs(t, Namei.statfs(vd), a.a1);
    }

    private static long copyStatFs(Task t, StatFs s, long addr) {
        byte[] b = new byte[StatFs.SIZE];
        s.encode(MemorySegment.ofArray(b));
        t.mm().writeBytes(addr, b, 0, b.length);
        return 0;
    }
}
