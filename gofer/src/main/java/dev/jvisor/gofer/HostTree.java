package dev.jvisor.gofer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Stat;
import dev.jvisor.gofer.wire.Protocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The host operations of the gofer, on O_PATH descriptors only. Every method returns a value {@code >= 0} or
 * {@code -errno}. No path with more than one component ever reaches the host kernel, and no symlink is followed:
 * each name is opened with {@code openat(parent, name, O_PATH|O_NOFOLLOW)}.
 *
 * <p>Opening for I/O reopens the O_PATH descriptor through {@code /proc/self/fd/N} (the only way Linux offers to
 * turn an O_PATH descriptor into an I/O one; the magic link names the very inode, with no path walk). The
 * {@code /proc/self/fd} directory is opened once at start-up. Before the reopen, the type is checked with fstat
 * on the O_PATH descriptor, so a FIFO (whose open would block), a socket or a device node is never opened.
 */
final class HostTree implements AutoCloseable {
    /** Flags a caller may pass to open; the rest (O_CREAT, O_PATH, O_TMPFILE, O_ASYNC...) are EINVAL. */
    static final int OPEN_ALLOWED = Fcntl.O_ACCMODE | Fcntl.O_TRUNC | Fcntl.O_APPEND | Fcntl.O_NONBLOCK
            | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_LARGEFILE | Fcntl.O_NOATIME | Fcntl.O_DSYNC
            | Fcntl.O_SYNC | Fcntl.O_DIRECT | Fcntl.O_CLOEXEC | Fcntl.O_NOCTTY;

    static final int STATFS_SIZE = Protocol.STATFS_SIZE;

    /** The errno for opening a file that is not a directory, regular file or symlink. */
    static final Errno SPECIAL_FILE_ERRNO = Errno.EACCES;

    private final Arena arena = Arena.ofConfined();
    private final int rootFd;
    private final int procFdDir;
    private final boolean readonly;
    private final MemorySegment stat = arena.allocate(Stat.LAYOUT);
    private final MemorySegment name = arena.allocate(Protocol.NAME_MAX + 1);
    private final MemorySegment name2 = arena.allocate(Protocol.NAME_MAX + 1);
    private final MemorySegment target = arena.allocate(Protocol.PATH_MAX + 1);
    private final MemorySegment times = arena.allocate(32, 8);
    private final MemorySegment statfs = arena.allocate(STATFS_SIZE, 8);
    private final MemorySegment empty = arena.allocate(1);
    private final MemorySegment link = arena.allocate(Protocol.PATH_MAX);
    private final MemorySegment dirents = arena.allocate(Protocol.DIRENTS_CHUNK, 8);

    private HostTree(int rootFd, int procFdDir, boolean readonly) {
        this.rootFd = rootFd;
        this.procFdDir = procFdDir;
        this.readonly = readonly;
    }

    /** Opens the root (O_PATH|O_DIRECTORY) and /proc/self/fd. Throws {@link IllegalStateException} naming the step. */
    static HostTree open(String rootPath, boolean readonly) {
        return open(rootPath, readonly, false);
    }

    /**
     * Opens a tree's root and /proc/self/fd. The root of a bind ({@code fileAllowed}) may also be a regular file
     * (Docker's /etc/hosts); anything else (FIFO, socket, device) is refused, like every special file. The path
     * comes from the trusted config, so the host resolves it, symlinks included (as runc does for a source).
     * Throws {@link IllegalStateException} naming the step.
     */
    static HostTree open(String rootPath, boolean readonly, boolean fileAllowed) {
        try (Arena a = Arena.ofConfined()) {
            int root = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom(rootPath),
                    Fcntl.O_PATH | (fileAllowed ? 0 : Fcntl.O_DIRECTORY) | Fcntl.O_CLOEXEC, 0);
            if (root < 0) {
                throw new IllegalStateException("open root " + rootPath + ": " + Errno.name(-root));
            }
            MemorySegment st = a.allocate(Stat.LAYOUT);
            int r = Host.fstat(root, st);
            int type = Stat.mode(st) & FileMode.S_IFMT;
            if (r < 0 || (type != FileMode.S_IFDIR && type != FileMode.S_IFREG)) {
                Host.close(root);
                throw new IllegalStateException("open root " + rootPath + ": "
                        + (r < 0 ? Errno.name(-r) : "not a directory or regular file"));
            }
            int proc = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom("/proc/self/fd"),
                    Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
            if (proc < 0) {
                Host.close(root);
                throw new IllegalStateException("open /proc/self/fd: " + Errno.name(-proc));
            }
            return new HostTree(root, proc, readonly);
        }
    }

    /** A new O_PATH descriptor for the root. */
    int dupRoot() {
        return Host.fcntl(rootFd, Fcntl.F_DUPFD_CLOEXEC, 0);
    }

    /**
     * Checks a component name held in {@code buf} at {@code off}: not empty, not "." or "..", no '/' or NUL, at
     * most NAME_MAX bytes. Returns 0 or {@code -errno}.
     */
    static int checkName(MemorySegment buf, long off, int len) {
        if (len == 0) {
            return -Errno.EINVAL.number();
        }
        if (len > Protocol.NAME_MAX) {
            return -Errno.ENAMETOOLONG.number();
        }
        byte b0 = buf.get(JAVA_BYTE, off);
        if (b0 == '.' && (len == 1 || (len == 2 && buf.get(JAVA_BYTE, off + 1) == '.'))) {
            return -Errno.EINVAL.number();
        }
        for (long i = 0; i < len; i++) {
            byte b = buf.get(JAVA_BYTE, off + i);
            if (b == '/' || b == 0) {
                return -Errno.EINVAL.number();
            }
        }
        return 0;
    }

    /**
     * Opens {@code len} name bytes at {@code buf+off} (already checked) under directory {@code parentFd} as
     * O_PATH|O_NOFOLLOW. Returns the new descriptor or {@code -errno}.
     */
    int walk(int parentFd, int parentType, MemorySegment buf, long off, int len) {
        if (parentType != FileMode.S_IFDIR) {
            return -Errno.ENOTDIR.number();
        }
        MemorySegment.copy(buf, off, name, 0, len);
        name.set(JAVA_BYTE, len, (byte) 0);
        return Host.openat(parentFd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    }

    /** fstat of {@code fd} into the shared stat buffer ({@link #stat()}); 0 or {@code -errno}. */
    int fstat(int fd) {
        return Host.fstat(fd, stat);
    }

    /** The buffer the last {@link #fstat} filled. */
    MemorySegment stat() {
        return stat;
    }

    /**
     * Opens the file behind O_PATH descriptor {@code fd} (of type {@code type}) for I/O with open(2)
     * {@code flags}. Returns a new descriptor, or {@code -errno}: EINVAL for a flag that creates or is not an
     * I/O flag, EISDIR for a directory opened for writing, ENOTDIR for O_DIRECTORY on a non-directory, ELOOP for
     * a symlink (as open with O_NOFOLLOW), {@link #SPECIAL_FILE_ERRNO} for a FIFO, socket or device, EROFS for
     * write access on a read-only tree.
     */
    int open(int fd, int type, int flags) {
        if ((flags & ~OPEN_ALLOWED) != 0 || (flags & Fcntl.O_ACCMODE) == Fcntl.O_ACCMODE) {
            return -Errno.EINVAL.number();
        }
        boolean write = (flags & Fcntl.O_ACCMODE) != Fcntl.O_RDONLY || (flags & Fcntl.O_TRUNC) != 0;
        switch (type) {
            case FileMode.S_IFDIR -> {
                if (write) {
                    return -Errno.EISDIR.number();
                }
            }
            case FileMode.S_IFREG -> {
                if ((flags & Fcntl.O_DIRECTORY) != 0) {
                    return -Errno.ENOTDIR.number();
                }
                if (write && readonly) {
                    return -Errno.EROFS.number();
                }
            }
            case FileMode.S_IFLNK -> {
                return -Errno.ELOOP.number();
            }
            default -> {
                return (flags & Fcntl.O_DIRECTORY) != 0 ? -Errno.ENOTDIR.number() : -SPECIAL_FILE_ERRNO.number();
            }
        }
        return reopen(fd, (flags & ~(Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC)) | Fcntl.O_CLOEXEC | Fcntl.O_NOCTTY);
    }

    private int reopen(int fd, int flags) {
        // "/proc/self/fd/<fd>": O_NOFOLLOW must be off, or the magic link itself gives ELOOP.
        return Host.openat(procFdDir, procName(fd), flags, 0);
    }

    /** "<fd>" in the name buffer, for calls relative to /proc/self/fd that reach the inode behind {@code fd}. */
    private MemorySegment procName(int fd) {
        String digits = Integer.toString(fd);
        for (int i = 0; i < digits.length(); i++) {
            name2.set(JAVA_BYTE, i, (byte) digits.charAt(i));
        }
        name2.set(JAVA_BYTE, digits.length(), (byte) 0);
        return name2;
    }

    /** Reads symlink {@code fd} into the link buffer; returns the length or {@code -errno} (EINVAL if no symlink). */
    int readlink(int fd, int type) {
        if (type != FileMode.S_IFLNK) {
            return -Errno.EINVAL.number();
        }
        empty.set(JAVA_BYTE, 0, (byte) 0);
        return (int) Host.readlinkat(fd, empty, link.address(), link.byteSize());
    }

    MemorySegment linkBuffer() {
        return link;
    }

    /**
     * Reads one chunk of directory {@code fd} starting at {@code cookie} (a d_off from an earlier chunk, 0 for the
     * start) into the dirents buffer. Returns the bytes of linux_dirent64 records, 0 at the end, or
     * {@code -errno}.
     */
    int getdents(int fd, int type, long cookie) {
        if (type != FileMode.S_IFDIR) {
            return -Errno.ENOTDIR.number();
        }
        int dir = reopen(fd, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC);
        if (dir < 0) {
            return dir;
        }
        try {
            if (cookie != 0) {
                long r = Host.lseek(dir, cookie, Fcntl.SEEK_SET);
                if (r < 0) {
                    return (int) r;
                }
            }
            return (int) Host.getdents64(dir, dirents.address(), dirents.byteSize());
        } finally {
            Host.close(dir);
        }
    }

    MemorySegment direntBuffer() {
        return dirents;
    }

    // ---- writes: each checks the tree is writable and the parent a directory, then makes one host call on
    // one component relative to the parent's O_PATH descriptor. Host errnos pass through.

    boolean readonly() {
        return readonly;
    }

    private static MemorySegment cstring(MemorySegment dst, MemorySegment buf, long off, int len) {
        MemorySegment.copy(buf, off, dst, 0, len);
        dst.set(JAVA_BYTE, len, (byte) 0);
        return dst;
    }

    private int writableDir(int parentType) {
        if (readonly) {
            return -Errno.EROFS.number();
        }
        return parentType == FileMode.S_IFDIR ? 0 : -Errno.ENOTDIR.number();
    }

    /** An O_PATH descriptor for the file behind I/O descriptor {@code fd}: the same inode, no name walked. */
    private int pathOf(int fd) {
        return Host.openat(procFdDir, procName(fd), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
    }

    /** Flags a creating open may carry besides the access mode; O_CREAT|O_EXCL|O_NOFOLLOW are always added. */
    static final int CREATE_ALLOWED = Fcntl.O_ACCMODE | Fcntl.O_APPEND | Fcntl.O_NONBLOCK | Fcntl.O_LARGEFILE
            | Fcntl.O_NOATIME | Fcntl.O_DSYNC | Fcntl.O_SYNC | Fcntl.O_DIRECT | Fcntl.O_CLOEXEC | Fcntl.O_EXCL
            | Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_NOCTTY;

    /**
     * Creates regular file {@code name} exclusively and opens it for I/O. Returns the I/O descriptor and stores
     * the new O_PATH descriptor in {@code pathOut[0]}, or returns {@code -errno}.
     */
    int createat(int parentFd, int parentType, MemorySegment buf, long off, int len, int flags, int mode,
                 int[] pathOut) {
        int r = writableDir(parentType);
        if (r < 0) {
            return r;
        }
        if ((flags & ~CREATE_ALLOWED) != 0 || (flags & Fcntl.O_ACCMODE) == Fcntl.O_ACCMODE) {
            return -Errno.EINVAL.number();
        }
        int fd = Host.openat(parentFd, cstring(name, buf, off, len), (flags & ~Fcntl.O_TRUNC) | Fcntl.O_CREAT
                | Fcntl.O_EXCL | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC | Fcntl.O_NOCTTY, mode & 07777);
        if (fd < 0) {
            return fd;
        }
        int path = pathOf(fd);
        if (path < 0) {
            Host.close(fd);
            return path;
        }
        pathOut[0] = path;
        return fd;
    }

    /** mkdirat, then walks to the new directory; returns its O_PATH descriptor or {@code -errno}. */
    int mkdirat(int parentFd, int parentType, MemorySegment buf, long off, int len, int mode) {
        int r = writableDir(parentType);
        if (r < 0) {
            return r;
        }
        r = Host.mkdirat(parentFd, cstring(name, buf, off, len), mode & 07777);
        return r < 0 ? r : Host.openat(parentFd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    }

    /** symlinkat with the {@code tlen} target bytes at {@code buf+toff}; returns the link's O_PATH descriptor. */
    int symlinkat(int parentFd, int parentType, MemorySegment buf, long off, int len, long toff, int tlen) {
        int r = writableDir(parentType);
        if (r < 0) {
            return r;
        }
        r = Host.symlinkat(cstring(target, buf, toff, tlen), parentFd, cstring(name, buf, off, len));
        return r < 0 ? r : Host.openat(parentFd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    }

    /**
     * A hard link {@code name} in {@code parentFd} to the file behind {@code fileFd}. linkat through the
     * /proc/self/fd magic link names the inode itself (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).
     * Directories are EPERM, as link(2) says.
     */
    int linkat(int fileFd, int fileType, int parentFd, int parentType, MemorySegment buf, long off, int len) {
        int r = writableDir(parentType);
        if (r < 0) {
            return r;
        }
        if (fileType == FileMode.S_IFDIR) {
            return -Errno.EPERM.number();
        }
        if (fileType == FileMode.S_IFLNK) {
            // Following the magic link of a symlink's O_PATH fd would link its target; Linux links the symlink.
            return -Errno.EPERM.number();
        }
        r = Host.linkat(procFdDir, procName(fileFd), parentFd, cstring(name, buf, off, len),
                Fcntl.AT_SYMLINK_FOLLOW);
        return r < 0 ? r : Host.openat(parentFd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    }

    /** unlinkat(2) with flags 0 or AT_REMOVEDIR. */
    int unlinkat(int parentFd, int parentType, MemorySegment buf, long off, int len, int flags) {
        int r = writableDir(parentType);
        if (r < 0) {
            return r;
        }
        if ((flags & ~Fcntl.AT_REMOVEDIR) != 0) {
            return -Errno.EINVAL.number();
        }
        return Host.unlinkat(parentFd, cstring(name, buf, off, len), flags);
    }

    /** renameat2(2) within this tree (flags RENAME_NOREPLACE and RENAME_EXCHANGE pass through). */
    int renameat(int oldParentFd, int oldType, MemorySegment buf, long off, int len, int newParentFd,
                 int newType, long noff, int nlen, int flags) {
        int r = writableDir(oldType);
        if (r < 0) {
            return r;
        }
        if (newType != FileMode.S_IFDIR) {
            return -Errno.ENOTDIR.number();
        }
        if ((flags & ~3) != 0) {
            return -Errno.EINVAL.number();
        }
        return Host.renameat2(oldParentFd, cstring(name, buf, off, len), newParentFd,
                cstring(target, buf, noff, nlen), flags);
    }

    private static final int SET_MODE = Protocol.SET_MODE, SET_UID = Protocol.SET_UID, SET_GID = Protocol.SET_GID,
            SET_SIZE = Protocol.SET_SIZE, SET_ATIME = Protocol.SET_ATIME, SET_MTIME = Protocol.SET_MTIME;

    /**
     * Changes attributes of the file behind O_PATH {@code fd}: mode, owner, size, times (each a timespec; the
     * nsec field may be UTIME_NOW or UTIME_OMIT). Stops at the first failure, returning its {@code -errno}.
     * Mode, size and times go through the /proc/self/fd magic link; a symlink's own mode cannot be changed.
     */
    int setstat(int fd, int type, int mask, int mode, int uid, int gid, long size, long aSec, long aNsec,
                long mSec, long mNsec) {
        if (readonly) {
            return -Errno.EROFS.number();
        }
        if ((mask & SET_MODE) != 0) {
            if (type == FileMode.S_IFLNK) {
                return -Errno.EOPNOTSUPP.number();
            }
            int r = Host.fchmodat(procFdDir, procName(fd), mode & 07777);
            if (r < 0) {
                return r;
            }
        }
        if ((mask & (SET_UID | SET_GID)) != 0) {
            empty.set(JAVA_BYTE, 0, (byte) 0);
            int r = Host.fchownat(fd, empty, (mask & SET_UID) != 0 ? uid : -1, (mask & SET_GID) != 0 ? gid : -1,
                    Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW);
            if (r < 0) {
                return r;
            }
        }
        if ((mask & SET_SIZE) != 0) {
            if (type == FileMode.S_IFDIR) {
                return -Errno.EISDIR.number();
            }
            if (type != FileMode.S_IFREG) {
                return -Errno.EINVAL.number();
            }
            int io = reopen(fd, Fcntl.O_WRONLY | Fcntl.O_CLOEXEC | Fcntl.O_NOCTTY | Fcntl.O_NONBLOCK);
            if (io < 0) {
                return io;
            }
            int r = Host.ftruncate(io, size);
            Host.close(io);
            if (r < 0) {
                return r;
            }
        }
        if ((mask & (SET_ATIME | SET_MTIME)) != 0) {
            if (type == FileMode.S_IFLNK) {
                return -Errno.EOPNOTSUPP.number();
            }
            times.set(JAVA_LONG, 0, aSec);
            times.set(JAVA_LONG, 8, (mask & SET_ATIME) != 0 ? aNsec : UTIME_OMIT);
            times.set(JAVA_LONG, 16, mSec);
            times.set(JAVA_LONG, 24, (mask & SET_MTIME) != 0 ? mNsec : UTIME_OMIT);
            int r = Host.utimensat(procFdDir, procName(fd), times, 0);
            if (r < 0) {
                return r;
            }
        }
        return 0;
    }

    static final long UTIME_OMIT = (1L << 30) - 2;

    /** fstatfs of O_PATH {@code fd} into the statfs buffer ({@link #STATFS_SIZE} bytes). */
    int statfs(int fd) {
        return Host.fstatfs(fd, statfs);
    }

    MemorySegment statfsBuffer() {
        return statfs;
    }

    static long ns(MemorySegment st, long secOff) {
        return st.get(JAVA_LONG, secOff) * 1_000_000_000L + st.get(JAVA_LONG, secOff + 8);
    }

    @Override
    public void close() {
        Host.close(rootFd);
        Host.close(procFdDir);
        arena.close();
    }
}
