package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.mm.MemoryManager;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file description (what an fd points to): the file, the access mode and status flags, and the file
 * offset. Shared by every fd that dup(2) or fork(2) made from the same open(2); reference counted, released
 * when the last reference goes.
 *
 * <p>Subclasses implement positional I/O ({@link #pread}, {@link #pwrite}); the offset-based {@link #read} and
 * {@link #write} here serialise on the offset lock, as Linux's f_pos_lock does. Non-seekable files (ttys,
 * pipes, devices) override {@link #read}, {@link #write} and {@link #seek}.
 *
 * <p>The ELF loader and mm use only {@link #pread} and {@link #size}.
 */
public abstract class FileDescription {
    /** Flags that F_SETFL may change; the rest are fixed at open. */
    public static final int SETFL_MASK = Fcntl.O_APPEND | Fcntl.O_NONBLOCK;
    /** Open flags that stay in the description (the creation flags O_CREAT, O_EXCL, O_TRUNC... do not). */
    private static final int KEPT = Fcntl.O_ACCMODE | Fcntl.O_APPEND | Fcntl.O_NONBLOCK | Fcntl.O_DSYNC
            | Fcntl.O_DIRECT | Fcntl.O_LARGEFILE | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_NOATIME
            | Fcntl.O_SYNC | Fcntl.O_PATH | Fcntl.O_ASYNC;

    private final AtomicInteger refs = new AtomicInteger(1);
    // Made once so that read(2) and write(2) hand mm.io a callback without allocating one per call.
    private final MemoryManager.SegmentIo reader = this::read;
    private final MemoryManager.SegmentIo writer = this::write;
    private final VirtualDentry vd;
    private volatile int flags;
    private final Object posLock = new Object();
    private long offset; // guarded by posLock

    /** A description with no path, opened read-only (for tests and files outside the tree). */
    protected FileDescription() {
        this(null, Fcntl.O_RDONLY);
    }

    /**
     * @param vd the path this description was opened through, or null for a file with none (a host fd)
     * @param flags the open(2) flags; O_LARGEFILE is implied on x86-64 (the kernel forces it), except for O_PATH
     */
    protected FileDescription(VirtualDentry vd, int flags) {
        this.vd = vd;
        // O_PATH descriptions keep just O_PATH and the lookup flags; F_GETFL shows no O_LARGEFILE on them.
        this.flags = (flags & Fcntl.O_PATH) != 0 ? flags & (Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW)
                : (flags & KEPT) | Fcntl.O_LARGEFILE;
    }

    /** Reads up to {@code dst.byteSize()} bytes at {@code offset} into {@code dst}. Returns bytes or -errno. */
    public abstract long pread(MemorySegment dst, long offset);

    /** Size in bytes (for the loader's bounds checks and SEEK_END), or -errno. */
    public abstract long size();

    /** Writes {@code src} at {@code offset}. Returns bytes or -errno. */
    public long pwrite(MemorySegment src, long offset) {
        return Errno.EINVAL.ret();
    }

    /** {@link #read} as an mm.io callback (fills workload memory). */
    public final MemoryManager.SegmentIo readIo() {
        return reader;
    }

    /** {@link #write} as an mm.io callback (drains workload memory). */
    public final MemoryManager.SegmentIo writeIo() {
        return writer;
    }

    /**
     * read(2) of {@code count} bytes into workload memory at {@code addr}. In Linux each driver copies to the
     * user buffer itself, so one that never copies (/dev/null) never faults on a bad buffer; such files
     * override this. The default transfers through {@code mm.io}.
     */
    public long readToUser(MemoryManager mm, long addr, long count) {
        return mm.io(addr, count, true, reader);
    }

    /** write(2) of {@code count} bytes from workload memory at {@code addr}; see {@link #readToUser}. */
    public long writeFromUser(MemoryManager mm, long addr, long count) {
        return mm.io(addr, count, false, writer);
    }

    /** The path this was opened through, or null. */
    public VirtualDentry path() {
        return vd;
    }

    /** The inode, or null for a description with no path. */
    public Inode inode() {
        return vd == null ? null : vd.inode();
    }

    /** What /proc/pid/fd/N shows for a description with no path ("pipe:[7]"); null when it has a path. */
    public String anonymousName() {
        return vd == null ? "anon_inode:[unknown]" : null;
    }

    /**
     * For a description with no path: an inode whose {@link Inode#open} makes a new description of the same
     * file, so /proc/self/fd/N can be opened again. Null when that is not possible (the default).
     */
    public Inode reopenableInode() {
        return null;
    }

    // ---- flags ----------------------------------------------------------------------------------------------

    /** Access mode and status flags, as F_GETFL returns them. */
    public int flags() {
        return flags;
    }

    /** F_SETFL: changes O_APPEND and O_NONBLOCK only; other bits of {@code newFlags} are ignored. */
    public void setStatusFlags(int newFlags) {
        synchronized (posLock) {
            flags = (flags & ~SETFL_MASK) | (newFlags & SETFL_MASK);
        }
    }

    public boolean isPath() {
        return (flags & Fcntl.O_PATH) != 0;
    }

    /** Opened for reading (read(2) on it is not EBADF). */
    public boolean readable() {
        int acc = flags & Fcntl.O_ACCMODE;
        return !isPath() && (acc == Fcntl.O_RDONLY || acc == Fcntl.O_RDWR);
    }

    /** Opened for writing. */
    public boolean writable() {
        int acc = flags & Fcntl.O_ACCMODE;
        return !isPath() && (acc == Fcntl.O_WRONLY || acc == Fcntl.O_RDWR);
    }

    // ---- offset-based I/O -----------------------------------------------------------------------------------

    /** read(2): reads at the file offset and advances it. */
    public long read(MemorySegment dst) {
        synchronized (posLock) {
            long n = pread(dst, offset);
            if (n > 0) {
                offset += n;
            }
            return n;
        }
    }

    /** write(2): writes at the file offset (at the end with O_APPEND) and advances it. */
    public long write(MemorySegment src) {
        synchronized (posLock) {
            if ((flags & Fcntl.O_APPEND) != 0) {
                long end = size();
                if (end < 0) {
                    return end;
                }
                offset = end;
            }
            long n = pwrite(src, offset);
            if (n > 0) {
                offset += n;
            }
            return n;
        }
    }

    /** lseek(2). Returns the new offset, EINVAL for a negative one or a bad whence, ENXIO past the data. */
    public long seek(long off, int whence) {
        synchronized (posLock) {
            long base;
            switch (whence) {
                case Fcntl.SEEK_SET -> base = 0;
                case Fcntl.SEEK_CUR -> base = offset;
                case Fcntl.SEEK_END, Fcntl.SEEK_DATA, Fcntl.SEEK_HOLE -> {
                    base = size();
                    if (base < 0) {
                        return base;
                    }
                }
                default -> {
                    return Errno.EINVAL.ret();
                }
            }
            long target;
            if (whence == Fcntl.SEEK_DATA || whence == Fcntl.SEEK_HOLE) {
                // No holes are tracked: all of [0, size) is data and the only hole is at the end.
                if (off < 0 || off >= base) {
                    return Errno.ENXIO.ret();
                }
                target = whence == Fcntl.SEEK_DATA ? off : base;
            } else {
                target = base + off;
                if (((base ^ target) & (off ^ target)) < 0 || target < 0) {
                    return Errno.EINVAL.ret();
                }
            }
            offset = target;
            onSeek(target);
            return target;
        }
    }

    /** Called under the offset lock after a successful seek (directories reset their listing at 0). */
    protected void onSeek(long newOffset) {}

    /** The current file offset. */
    public long offset() {
        synchronized (posLock) {
            return offset;
        }
    }

    /** The offset lock, for subclasses that keep more position state (a directory listing) under it. */
    protected final Object offsetLock() {
        return posLock;
    }

    protected final void setOffset(long off) {
        synchronized (posLock) {
            offset = off;
        }
    }

    // ---- other operations -----------------------------------------------------------------------------------

    /** fstat(2): fills {@code st}. Returns 0 or -errno. */
    public long stat(Kstat st) {
        Inode i = inode();
        if (i == null) {
            return Errno.EBADF.ret();
        }
        i.stat(st);
        st.mountId = vd.mount().id();
        st.mountRoot = vd.dentry() == vd.mount().root();
        return 0;
    }

    /**
     * getdents64(2): encodes entries from the current position into {@code buf}. Returns bytes written, 0 at
     * the end, EINVAL when not even one entry fits, ENOTDIR for a non-directory.
     */
    public long getdents(MemorySegment buf) {
        return Errno.ENOTDIR.ret();
    }

    /** ioctl(2) requests specific to this file. {@code t} gives access to the workload's memory. */
    public long ioctl(Task t, int request, long arg) {
        return Errno.ENOTTY.ret();
    }

    /** fcntl(2) commands specific to this file (F_GETPIPE_SZ...); the generic ones never get here. */
    public long fcntl(Task t, int cmd, long arg) {
        return Errno.EINVAL.ret();
    }

    // ---- readiness (poll, select, epoll) --------------------------------------------------------------------

    /**
     * The poll(2) events that hold now (POLLIN, POLLOUT, POLLHUP...); {@code mask} is what the caller cares
     * about, a hint, as the result is masked by the caller. A file without a poll operation is always readable
     * and writable (Linux's DEFAULT_POLLMASK).
     */
    public int readiness(int mask) {
        return Poll.DEFAULT_POLLMASK;
    }

    /**
     * The queue notified (with poll event bits) when this file's readiness may have changed, to register on
     * before re-checking {@link #readiness}; null for a file with no poll operation (regular files,
     * directories, most devices), which is always ready and which epoll refuses with EPERM.
     */
    public WaitQueue eventQueue() {
        return null;
    }

    /** ftruncate(2). */
    public long truncate(long length) {
        if (!writable()) {
            return Errno.EINVAL.ret();
        }
        Inode i = inode();
        if (i == null) {
            return Errno.EINVAL.ret();
        }
        if (vd.mount().readonly()) {
            return Errno.EROFS.ret();
        }
        i.truncate(length);
        return 0;
    }

    /**
     * fsync(2) ({@code dataOnly}: fdatasync). Files kept in memory have nothing to flush; a file with no path
     * (a pipe, an eventfd) is EINVAL, as Linux says for files that cannot be synced. Host-backed files override.
     */
    public long sync(boolean dataOnly) {
        return inode() == null ? Errno.EINVAL.ret() : 0;
    }

    // ---- references -----------------------------------------------------------------------------------------

    /** Takes a reference (an fd, a dup, a fork, an in-flight syscall). */
    public final void incRef() {
        refs.incrementAndGet();
    }

    /** Drops a reference; the last one releases the description. */
    public final void decRef() {
        int n = refs.decrementAndGet();
        if (n == 0) {
            release();
        } else if (n < 0) {
            throw new IllegalStateException("FileDescription released twice");
        }
    }

    /** Whether the last reference is gone (epoll drops its interest in such a file, as Linux does on close). */
    public final boolean isReleased() {
        return refs.get() <= 0;
    }

    /** Frees what the description holds (a host fd...). Called once, when the last reference goes. */
    protected void release() {}
}
