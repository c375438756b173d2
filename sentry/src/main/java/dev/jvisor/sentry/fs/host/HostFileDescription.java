package dev.jvisor.sentry.fs.host;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Stat;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SegmentCopy;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A host fd the sentry was handed (the caller's stdin, stdout, stderr). I/O goes straight to the host fd;
 * the offset, if any, is the host description's, which the caller shares, as it would natively. The host
 * description's flags are never changed: O_NONBLOCK set by the workload lives only in this description and is
 * honoured by polling the host fd first; a blocking read or write waits in an interruptible host ppoll first
 * (see {@link #awaitReady}). Terminal ioctls pass through when the host fd is a tty; anything
 * else is ENOTTY.
 */
public final class HostFileDescription extends FileDescription {
    private final int hostFd;
    private final boolean tty;
    private final boolean ownsFd;
    private final int fileType;
    /** {@link #hostWrite} as an mm.io callback, made once. */
    private final dev.jvisor.sentry.mm.MemoryManager.SegmentIo hostWriter = this::hostWrite;
    private boolean released; // guarded by this

    /**
     * @param hostFd the host fd; {@code ownsFd} says whether the last close closes it (the sentry's own 0, 1
     *     and 2 must stay open for the JVM)
     * @param flags the access mode and status flags to show (F_GETFL)
     */
    public HostFileDescription(int hostFd, int flags, boolean ownsFd) {
        this(null, hostFd, flags, ownsFd);
    }

    /** A host fd reached through a path (a reopened /proc/self/fd/N); {@code vd} is that path. */
    HostFileDescription(VirtualDentry vd, int hostFd, int flags, boolean ownsFd) {
        super(vd, flags);
        this.hostFd = hostFd;
        this.ownsFd = ownsFd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Stat.LAYOUT);
            this.fileType = Host.fstat(hostFd, st) == 0 ? Stat.mode(st) & FileMode.S_IFMT : 0;
            MemorySegment termios = a.allocate(Ioctls.TERMIOS_SIZE);
            this.tty = fileType == FileMode.S_IFCHR && Host.ioctl(hostFd, Ioctls.TCGETS, termios.address()) == 0;
        }
    }

    /** Wraps host fd {@code hostFd} with the access mode and status flags the host reports for it. */
    public static HostFileDescription of(int hostFd, boolean ownsFd) {
        int fl = Host.fcntl(hostFd, dev.jvisor.abi.Fcntl.F_GETFL, 0);
        if (fl < 0) {
            throw Errno.of(-fl).exception();
        }
        return new HostFileDescription(hostFd, fl, ownsFd);
    }

    /**
     * Gives a new task the sentry's own stdin, stdout and stderr as fds 0, 1 and 2 (those that are open on the
     * host). The host fds stay open when the workload closes them: the JVM owns them.
     */
    public static void installStdio(dev.jvisor.sentry.vfs.FdTable table) {
        for (int fd = 0; fd <= 2; fd++) {
            if (Host.fcntl(fd, dev.jvisor.abi.Fcntl.F_GETFL, 0) < 0) {
                continue;
            }
            table.installAt(fd, of(fd, false), false);
        }
    }

    public boolean isTty() {
        return tty;
    }

    private static final short POLLIN = 0x1;
    private static final short POLLOUT = 0x4;

    /** The host fd, for a host-side ppoll when a task waits on this file together with others. */
    public int pollFd() {
        return hostFd;
    }

    /** The host fd's poll(2) events right now: a zero-timeout ppoll (the host description is never changed). */
    @Override
    public int readiness(int mask) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, hostFd);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, (short) mask);
            int r = Host.ppoll(pfd, 1, a.allocate(16));
            return r <= 0 ? 0 : pfd.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 6) & 0xffff;
        }
    }

    /** Never notified: waiters on a host fd wait in a host ppoll on it instead (see {@link #pollFd}). */
    private static final WaitQueue HOST_QUEUE = new WaitQueue();

    /** A queue for files with a poll operation on the host (pipes, ttys, sockets); null for regular files. */
    @Override
    public WaitQueue eventQueue() {
        return fileType == FileMode.S_IFREG || fileType == FileMode.S_IFDIR ? null : HOST_QUEUE;
    }

    /**
     * Waits until the host fd is ready for {@code events}: at once (EAGAIN if not ready) with O_NONBLOCK set on
     * this description, else in a host ppoll on the fd plus the task's wake-up eventfd, so that a signal or the
     * sandbox's exit ends the wait (a blocked host read could not be interrupted). Returns 0 or -errno.
     * Another reader of the same host description may still take the data first; the read then blocks in the
     * host, as it would have natively.
     */
    private long awaitReady(short events) {
        boolean nonblock = (flags() & dev.jvisor.abi.Fcntl.O_NONBLOCK) != 0;
        if (fileType == FileMode.S_IFREG || fileType == FileMode.S_IFDIR) {
            return 0;
        }
        // A blocking write to a device that is not a terminal (/dev/null) never waits: skip the poll.
        if (!nonblock && events == POLLOUT && fileType == FileMode.S_IFCHR && !tty) {
            return 0;
        }
        Task t = Task.current();
        if (t == null) {
            try (Arena a = Arena.ofConfined()) {
                return awaitReady(events, nonblock, null, a.allocate(32));
            }
        }
        // The end of the task's scratch buffer: read(2) and write(2) handlers use none of it.
        return awaitReady(events, nonblock, t, t.scratch().asSlice(Task.SCRATCH_SIZE - 32, 32));
    }

    /** {@code buf}: 32 bytes, a pollfd and its spare slot (for the waiter's eventfd), then a timespec. */
    private long awaitReady(short events, boolean nonblock, Task t, MemorySegment buf) {
        MemorySegment pfd = buf.asSlice(0, 16);
        MemorySegment ts = buf.asSlice(16, 16);
        for (;;) {
            pfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, hostFd);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, events);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 6, (short) 0);
            int r = Host.ppoll(pfd, 1, ts.fill((byte) 0));
            if (r != 0) {
                return 0; // ready, or an error the read itself will report
            }
            if (nonblock) {
                return Errno.EAGAIN.ret();
            }
            if (t == null) {
                return 0; // not on a task thread (tests): just do the blocking call
            }
            int w = t.waiter().awaitHost(pfd, 1, ts, Waiter.FOREVER);
            if (w < 0 && w != (int) Errno.ETIMEDOUT.ret()) {
                return w;
            }
        }
    }

    /**
     * read(2): waits (interruptibly) for the host fd to be readable, then reads. Only the first piece of a
     * buffer that spans several may wait; later pieces take only what is ready, as one read(2) would.
     */
    @Override
    public long readToUser(dev.jvisor.sentry.mm.MemoryManager mm, long addr, long count) {
        long r = awaitReady(POLLIN);
        if (r < 0) {
            return r;
        }
        boolean[] first = {true};
        return mm.io(addr, count, true, seg -> {
            if (!first[0] && fileType != FileMode.S_IFREG && readiness(POLLIN) == 0) {
                return 0;
            }
            first[0] = false;
            return hostRead(seg);
        });
    }

    @Override
    public long writeFromUser(dev.jvisor.sentry.mm.MemoryManager mm, long addr, long count) {
        long r = awaitReady(POLLOUT);
        if (r < 0) {
            return r;
        }
        return mm.io(addr, count, false, hostWriter);
    }

    @Override
    public long read(MemorySegment dst) {
        long r = awaitReady(POLLIN);
        return r < 0 ? r : hostRead(dst);
    }

    private long hostRead(MemorySegment dst) {
        if (dst.isNative()) {
            return Host.read(hostFd, dst.address(), dst.byteSize());
        }
        return SegmentCopy.fill(dst, seg -> Host.read(hostFd, seg.address(), seg.byteSize()));
    }

    @Override
    public long write(MemorySegment src) {
        long r = awaitReady(POLLOUT);
        return r < 0 ? r : hostWrite(src);
    }

    private long hostWrite(MemorySegment src) {
        long n = src.isNative() ? Host.write(hostFd, src.address(), src.byteSize())
                : SegmentCopy.drain(src, seg -> Host.write(hostFd, seg.address(), seg.byteSize()));
        if (n == Errno.EPIPE.ret()) {
            // The host pipe's reader is gone: the workload gets SIGPIPE as it would natively (the JVM ignores
            // the host's).
            Task t = Task.current();
            if (t != null) {
                t.sendSignal(dev.jvisor.abi.Signals.SIGPIPE);
            }
        }
        return n;
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        return SegmentCopy.fill(dst, seg -> Host.pread(hostFd, seg.address(), seg.byteSize(), offset));
    }

    @Override
    public long pwrite(MemorySegment src, long offset) {
        return SegmentCopy.drain(src, seg -> Host.pwrite(hostFd, seg.address(), seg.byteSize(), offset));
    }

    @Override
    public long seek(long off, int whence) {
        return Host.lseek(hostFd, off, whence);
    }

    @Override
    public long size() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Stat.LAYOUT);
            int r = Host.fstat(hostFd, st);
            return r < 0 ? r : Stat.size(st);
        }
    }

    /** fstat(2) of a host fd into {@code k}. */
    static long statHost(int hostFd, Kstat k) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Stat.LAYOUT);
            int r = Host.fstat(hostFd, st);
            if (r < 0) {
                return r;
            }
            long dev = Stat.dev(st);
            long rdev = Stat.rdev(st);
            k.ino = Stat.ino(st);
            k.mode = Stat.mode(st);
            k.nlink = Stat.nlink(st);
            k.uid = Stat.uid(st);
            k.gid = Stat.gid(st);
            k.devMajor = major(dev);
            k.devMinor = minor(dev);
            k.rdevMajor = major(rdev);
            k.rdevMinor = minor(rdev);
            k.size = Stat.size(st);
            k.blksize = Stat.blksize(st);
            k.blocks = Stat.blocks(st);
            k.atimeNs = time(st, Stat.ATIME, Stat.ATIME_NSEC);
            k.mtimeNs = time(st, Stat.MTIME, Stat.MTIME_NSEC);
            k.ctimeNs = time(st, Stat.CTIME, Stat.CTIME_NSEC);
            return 0;
        }
    }

    private static long time(MemorySegment st, long sec, long nsec) {
        return st.get(java.lang.foreign.ValueLayout.JAVA_LONG, sec) * 1_000_000_000L
                + st.get(java.lang.foreign.ValueLayout.JAVA_LONG, nsec);
    }

    static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }

    /**
     * Terminal ioctls, copied through a sentry buffer to and from workload memory. TIOCGPGRP and friends are
     * ENOTTY, which is what Linux answers a process for which this tty is not the controlling terminal: a
     * caller's terminal passed through ({@code do}) is no sandbox process's controlling terminal, and the host's
     * process groups mean nothing inside. (A container's terminal is emulated instead: {@code fs.tty}.)
     */
    @Override
    public long ioctl(Task t, int request, long arg) {
        if (!tty) {
            return Errno.ENOTTY.ret();
        }
        return switch (request) {
            case Ioctls.TCGETS -> ioctlOut(t, request, arg, Ioctls.TERMIOS_SIZE);
            case Ioctls.TIOCGWINSZ -> ioctlOut(t, request, arg, Ioctls.WINSIZE_SIZE);
            case Ioctls.FIONREAD, Ioctls.TIOCOUTQ -> ioctlOut(t, request, arg, 4);
            case Ioctls.TCSETS, Ioctls.TCSETSW, Ioctls.TCSETSF -> ioctlIn(t, request, arg, Ioctls.TERMIOS_SIZE);
            case Ioctls.TIOCSWINSZ -> ioctlIn(t, request, arg, Ioctls.WINSIZE_SIZE);
            case Ioctls.TCFLSH, Ioctls.TCXONC, Ioctls.TCSBRK -> argIsValue(arg) ? Host.ioctl(hostFd, request, arg)
                    : Errno.EINVAL.ret();
            default -> Errno.ENOTTY.ret();
        };
    }

    private static boolean argIsValue(long arg) {
        return arg >= 0 && arg <= Integer.MAX_VALUE;
    }

    private long ioctlOut(Task t, int request, long arg, int size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(size);
            int r = Host.ioctl(hostFd, request, buf.address());
            if (r < 0) {
                return r;
            }
            t.mm().copyOut(arg, buf, size);
            return r;
        } catch (ErrnoException e) {
            return e.ret();
        }
    }

    private long ioctlIn(Task t, int request, long arg, int size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(size);
            t.mm().copyIn(arg, buf, size);
            return Host.ioctl(hostFd, request, buf.address());
        } catch (ErrnoException e) {
            return e.ret();
        }
    }

    @Override
    public String anonymousName() {
        return (fileType == FileMode.S_IFIFO ? "pipe:[host " : tty ? "tty:[host " : "host:[") + hostFd + "]";
    }

    /** Lets /proc/self/fd/N (and /dev/stdin...) open this file again, as a new description of a dup. */
    @Override
    public Inode reopenableInode() {
        return new HostInode(this, fileType);
    }

    /** A new host fd for the same host description, or -EBADF once this one is released. */
    synchronized int dupHostFd() {
        if (released) {
            return (int) Errno.EBADF.ret();
        }
        return Host.fcntl(hostFd, dev.jvisor.abi.Fcntl.F_DUPFD_CLOEXEC, 0);
    }

    @Override
    public long stat(Kstat k) {
        return statHost(hostFd, k);
    }

    /** ftruncate(2) of the host file (a caller's regular file reopened with O_TRUNC). */
    synchronized int truncateHost(long size) {
        return released ? (int) Errno.EBADF.ret() : Host.ftruncate(hostFd, size);
    }

    @Override
    protected synchronized void release() {
        released = true;
        if (ownsFd) {
            Host.close(hostFd);
        }
    }
}
