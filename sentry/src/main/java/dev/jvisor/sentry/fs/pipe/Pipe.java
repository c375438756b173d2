package dev.jvisor.sentry.fs.pipe;

import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.kernel.WaitQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An anonymous pipe: the buffer, how many read and write ends are open, and the queue that readers and
 * writers wait on. Guarded by this; the queue is notified after the lock is dropped (an epoll listener takes its
 * own lock, and epoll_wait calls {@link PipeFileDescription#readiness} under it).
 */
public final class Pipe {
    /** Default size: 16 pages. */
    public static final int DEFAULT_SLOTS = 16;
    /** /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask for. */
    public static final int MAX_SIZE = 1 << 20;
    /** Linux refuses sizes above 2^31 bytes outright (round_pipe_size). */
    public static final long HARD_MAX_SIZE = 1L << 31;

    private static final AtomicLong NEXT_INO = new AtomicLong(1);

    final PipeBuffer buffer = new PipeBuffer(DEFAULT_SLOTS);
    final WaitQueue queue = new WaitQueue();
    final long ino = NEXT_INO.getAndIncrement();
    final int uid, gid;
    final long createdNs = System.currentTimeMillis() * 1_000_000L;
    int readers; // guarded by this
    int writers; // guarded by this

    public Pipe(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
    }

    /** The file mode of a pipe: FIFO, read-write for its owner (what fstat shows). */
    static final int MODE = FileMode.S_IFIFO | 0600;

    /** Opens one end (pipe(2) opens both); {@code read}/{@code write} say which directions it counts as. */
    synchronized void open(boolean read, boolean write) {
        if (read) {
            readers++;
        }
        if (write) {
            writers++;
        }
    }

    /** Closes an end; the other side sees EOF (no writers) or EPIPE (no readers). */
    void close(boolean read, boolean write) {
        synchronized (this) {
            if (read) {
                readers--;
            }
            if (write) {
                writers--;
            }
        }
        queue.notify((read ? Poll.POLLOUT | Poll.POLLERR : 0) | (write ? Poll.POLLIN | Poll.POLLHUP : 0));
    }

    /** poll(2) events for an end open for reading and/or writing. */
    synchronized int readiness(boolean read, boolean write) {
        int m = 0;
        if (read) {
            if (!buffer.isEmpty()) {
                m |= Poll.POLLIN | Poll.POLLRDNORM;
            }
            if (writers == 0) {
                m |= Poll.POLLHUP;
            }
        }
        if (write) {
            if (!buffer.isFull()) {
                m |= Poll.POLLOUT | Poll.POLLWRNORM;
            }
            if (readers == 0) {
                m |= Poll.POLLERR;
            }
        }
        return m;
    }
}
