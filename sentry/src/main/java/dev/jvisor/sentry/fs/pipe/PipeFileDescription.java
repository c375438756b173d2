package dev.jvisor.sentry.fs.pipe;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Poll;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Kstat;
import java.lang.foreign.MemorySegment;

/**
 * One end of a {@link Pipe}. Reads wait for data or EOF, writes for room; both wait only their own task, and
 * return EAGAIN instead with O_NONBLOCK. A write with no reader left is EPIPE and sends SIGPIPE. With O_DIRECT
 * on the writing end the pipe is in packet mode (see {@link PipeBuffer}).
 */
public final class PipeFileDescription extends FileDescription {
    private final Pipe pipe;
    // Made once, so that a read or write through mm.io allocates no callback.
    private final MemoryManager.SegmentIo readOp = this::readSome;
    private final MemoryManager.SegmentIo writeOp = this::writeSome;
    /** Set by {@link #readSome} once a packet has been read: the rest of that read(2) gets nothing. Guarded by the pipe. */
    private boolean packetRead;
    /** The bytes the current write(2) step still wants to write, and whether the next piece is its first. Guarded by the pipe. */
    private long writeWhole;
    private boolean writeFirst;

    /** Opens an end of {@code pipe} with open(2) flags {@code flags} (O_RDONLY or O_WRONLY, O_NONBLOCK, O_DIRECT). */
    public PipeFileDescription(Pipe pipe, int flags) {
        super(null, flags);
        this.pipe = pipe;
        pipe.open(readable(), writable());
    }

    /** Pipes never show O_LARGEFILE: Linux adds it only in open(2). */
    @Override
    public int flags() {
        return super.flags() & ~Fcntl.O_LARGEFILE;
    }

    private boolean nonblocking() {
        return (flags() & Fcntl.O_NONBLOCK) != 0;
    }

    // ---- reading --------------------------------------------------------------------------------------------

    @Override
    public long readToUser(MemoryManager mm, long addr, long count) {
        return readLoop(mm, addr, count, null);
    }

    @Override
    public long read(MemorySegment dst) {
        return readLoop(null, 0, dst.byteSize(), dst);
    }

    private long readLoop(MemoryManager mm, long addr, long count, MemorySegment dst) {
        if (count == 0) {
            return 0;
        }
        Task t = null;
        try {
            for (;;) {
                long r = tryRead(mm, addr, count, dst);
                if (r != Errno.EAGAIN.ret() || nonblocking()) {
                    return r;
                }
                if (t == null) {
                    t = Task.current();
                    if (t == null) {
                        return r;
                    }
                    pipe.queue.register(t.waiter(), Poll.POLLIN | Poll.POLLHUP);
                    continue; // registered: check once more before sleeping, so no wake-up is lost
                }
                int w = t.waiter().await(Waiter.FOREVER);
                if (w < 0) {
                    return w;
                }
            }
        } finally {
            if (t != null) {
                pipe.queue.unregister(t.waiter());
            }
        }
    }

    /** One attempt: the bytes read, 0 at EOF, -EAGAIN when empty with writers left, -EFAULT. */
    private long tryRead(MemoryManager mm, long addr, long count, MemorySegment dst) {
        long n;
        synchronized (pipe) {
            if (pipe.buffer.isEmpty()) {
                return pipe.writers == 0 ? 0 : Errno.EAGAIN.ret();
            }
            packetRead = false;
            n = mm != null ? mm.io(addr, count, true, readOp) : readSome(dst);
        }
        if (n > 0) {
            pipe.queue.notify(Poll.POLLOUT | Poll.POLLWRNORM);
        }
        return n;
    }

    private long readSome(MemorySegment seg) {
        if (packetRead) {
            return 0;
        }
        long n = pipe.buffer.read(seg);
        packetRead = pipe.buffer.endedPacket();
        return n;
    }

    private long writeSome(MemorySegment seg) {
        long n = pipe.buffer.write(seg, (flags() & Fcntl.O_DIRECT) != 0, writeWhole, writeFirst);
        writeFirst = false;
        return n;
    }

    // ---- writing --------------------------------------------------------------------------------------------

    @Override
    public long writeFromUser(MemoryManager mm, long addr, long count) {
        return writeLoop(mm, addr, count, null);
    }

    @Override
    public long write(MemorySegment src) {
        return writeLoop(null, 0, src.byteSize(), src);
    }

    private long writeLoop(MemoryManager mm, long addr, long count, MemorySegment src) {
        if (count == 0) {
            return 0;
        }
        Task t = null;
        long done = 0;
        try {
            for (;;) {
                long r;
                synchronized (pipe) {
                    if (pipe.readers == 0) {
                        r = Errno.EPIPE.ret();
                    } else {
                        writeWhole = count - done;
                        writeFirst = true;
                        r = mm != null ? mm.io(addr + done, count - done, false, writeOp)
                                : writeSome(src.asSlice(done));
                    }
                }
                if (r == Errno.EPIPE.ret()) {
                    Task self = Task.current();
                    if (self != null) {
                        self.sendSignal(Signals.SIGPIPE);
                    }
                    return done > 0 ? done : r;
                }
                if (r < 0) {
                    return done > 0 ? done : r;
                }
                if (r > 0) {
                    done += r;
                    pipe.queue.notify(Poll.POLLIN | Poll.POLLRDNORM);
                    if (done == count) {
                        return done;
                    }
                    continue; // try again at once: a short step may be a full pipe or an unreadable page
                }
                if (nonblocking()) {
                    return done > 0 ? done : Errno.EAGAIN.ret();
                }
                if (t == null) {
                    t = Task.current();
                    if (t == null) {
                        return done > 0 ? done : Errno.EAGAIN.ret();
                    }
                    pipe.queue.register(t.waiter(), Poll.POLLOUT | Poll.POLLERR);
                    continue; // registered: check once more before sleeping
                }
                int w = t.waiter().await(Waiter.FOREVER);
                if (w < 0) {
                    return done > 0 ? done : w;
                }
            }
        } finally {
            if (t != null) {
                pipe.queue.unregister(t.waiter());
            }
        }
    }

    // ---- the rest -------------------------------------------------------------------------------------------

    @Override
    public long pread(MemorySegment dst, long offset) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long pwrite(MemorySegment src, long offset) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long seek(long off, int whence) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public int readiness(int mask) {
        return pipe.readiness(readable(), writable());
    }

    @Override
    public WaitQueue eventQueue() {
        return pipe.queue;
    }

    /** FIONREAD: the bytes waiting in the pipe. */
    @Override
    public long ioctl(Task t, int request, long arg) {
        if (request != Ioctls.FIONREAD) {
            return Errno.ENOTTY.ret();
        }
        long n;
        synchronized (pipe) {
            n = pipe.buffer.bytes();
        }
        t.mm().writeInt(arg, (int) n);
        return 0;
    }

    /** F_GETPIPE_SZ and F_SETPIPE_SZ. */
    @Override
    public long fcntl(Task t, int cmd, long arg) {
        switch (cmd) {
            case Fcntl.F_GETPIPE_SZ -> {
                synchronized (pipe) {
                    return pipe.buffer.capacity();
                }
            }
            case Fcntl.F_SETPIPE_SZ -> {
                long size = arg & 0xffffffffL; // an unsigned int in Linux
                long pages = roundPages(size);
                if (pages == 0) {
                    return Errno.EINVAL.ret();
                }
                long bytes = pages * PipeBuffer.PAGE;
                if (bytes > Pipe.MAX_SIZE && !t.creds().privileged()) {
                    return Errno.EPERM.ret();
                }
                synchronized (pipe) {
                    if (!pipe.buffer.resize((int) pages)) {
                        return Errno.EBUSY.ret();
                    }
                }
                pipe.queue.notify(Poll.POLLOUT | Poll.POLLWRNORM);
                return bytes;
            }
            default -> {
                return Errno.EINVAL.ret();
            }
        }
    }

    /** Linux's round_pipe_size, in pages: at least one, a power of two; 0 (EINVAL) above 2^31 bytes. */
    static long roundPages(long size) {
        if (size > Pipe.HARD_MAX_SIZE) {
            return 0;
        }
        long pages = Math.max(1, (size + PipeBuffer.PAGE - 1) / PipeBuffer.PAGE);
        return Long.bitCount(pages) == 1 ? pages : Long.highestOneBit(pages) << 1;
    }

    @Override
    public long stat(Kstat k) {
        fill(pipe, k);
        return 0;
    }

    /** Lets /proc/self/fd/N open this pipe again, as a new end. */
    @Override
    public dev.jvisor.sentry.vfs.Inode reopenableInode() {
        return new PipeInode(pipe);
    }

    /** fstat(2) of a pipe. */
    static void fill(Pipe pipe, Kstat k) {
        k.ino = pipe.ino;
        k.mode = Pipe.MODE;
        k.nlink = 1;
        k.uid = pipe.uid;
        k.gid = pipe.gid;
        k.devMajor = 0;
        k.devMinor = PIPEFS_MINOR;
        k.size = 0;
        k.blksize = PipeBuffer.PAGE;
        k.blocks = 0;
        k.atimeNs = k.mtimeNs = k.ctimeNs = pipe.createdNs;
    }

    /** The anonymous device number of pipefs: any fixed minor on major 0, as Linux gives one at boot. */
    private static final int PIPEFS_MINOR = 14;

    @Override
    public String anonymousName() {
        return "pipe:[" + pipe.ino + "]";
    }

    @Override
    protected void release() {
        pipe.close(readable(), writable());
    }
}
