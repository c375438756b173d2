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

    /** The errno for opening a file that is not a directory, regular file or symlink. */
    static final Errno SPECIAL_FILE_ERRNO = Errno.EACCES;

    private final Arena arena = Arena.ofConfined();
    private final int rootFd;
    private final int procFdDir;
    private final boolean readonly;
    private final MemorySegment stat = arena.allocate(Stat.LAYOUT);
    private final MemorySegment name = arena.allocate(Protocol.NAME_MAX + 1);
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
        try (Arena a = Arena.ofConfined()) {
            int root = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom(rootPath),
                    Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
            if (root < 0) {
                throw new IllegalStateException("open root " + rootPath + ": " + Errno.name(-root));
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
        String digits = Integer.toString(fd);
        for (int i = 0; i < digits.length(); i++) {
            name.set(JAVA_BYTE, i, (byte) digits.charAt(i));
        }
        name.set(JAVA_BYTE, digits.length(), (byte) 0);
        return Host.openat(procFdDir, name, flags, 0);
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
