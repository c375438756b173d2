package dev.jvisor.sentry.fs.eventfd;

import dev.jvisor.sentry.fs.anon.AnonFileDescription;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.mm.MemoryManager;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An eventfd(2): a 64-bit counter. A read takes the whole count (or 1 in semaphore mode) and waits while it is
 * 0; a write adds to it and waits while the sum would pass 2^64 - 2. Guarded by this; the queue is notified
 * after the lock is dropped.
 */
public final class EventFileDescription extends AnonFileDescription {
    /** The most the counter can hold: 2^64 - 2 (as an unsigned long). */
    private static final long MAX = 0xfffffffffffffffeL;

    private final WaitQueue queue = new WaitQueue();
    private final boolean semaphore;
    private long count; // guarded by this; unsigned

    public EventFileDescription(long initial, boolean semaphore, boolean nonblocking) {
        super(Fcntl.O_RDWR | (nonblocking ? Fcntl.O_NONBLOCK : 0), "eventfd");
        this.count = initial;
        this.semaphore = semaphore;
    }

    private boolean nonblocking() {
        return (flags() & Fcntl.O_NONBLOCK) != 0;
    }

    /** One attempt at a read: takes the count (or 1) into {@code out[0]}; false when the count is 0. */
    private synchronized boolean tryTake(long[] out) {
        if (count == 0) {
            return false;
        }
        if (semaphore) {
            out[0] = 1;
            count--;
        } else {
            out[0] = count;
            count = 0;
        }
        return true;
    }

    private synchronized boolean tryAdd(long v) {
        if (Long.compareUnsigned(v, MAX - count) > 0) {
            return false;
        }
        count += v;
        return true;
    }

    @Override
    public long readToUser(MemoryManager mm, long addr, long len) {
        if (len < 8) {
            return Errno.EINVAL.ret();
        }
        long[] v = new long[1];
        long r = block(Poll.POLLIN, () -> tryTake(v));
        if (r < 0) {
            return r;
        }
        queue.notify(Poll.POLLOUT);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8);
            s.set(JAVA_LONG_UNALIGNED, 0, v[0]);
            mm.copyOut(addr, s, 8);
        }
        return 8;
    }

    @Override
    public long writeFromUser(MemoryManager mm, long addr, long len) {
        if (len < 8) {
            return Errno.EINVAL.ret();
        }
        long v = mm.readLong(addr);
        if (v == -1L) {
            return Errno.EINVAL.ret();
        }
        long r = block(Poll.POLLOUT, () -> tryAdd(v));
        if (r < 0) {
            return r;
        }
        queue.notify(Poll.POLLIN);
        return 8;
    }

    /** Tries {@code attempt} until it succeeds, waiting between tries; 0, -EAGAIN or -ERESTARTSYS. */
    private long block(int events, java.util.function.BooleanSupplier attempt) {
        if (attempt.getAsBoolean()) {
            return 0;
        }
        if (nonblocking()) {
            return Errno.EAGAIN.ret();
        }
        Task t = Task.current();
        if (t == null) {
            return Errno.EAGAIN.ret();
        }
        queue.register(t.waiter(), events);
        try {
            for (;;) {
                if (attempt.getAsBoolean()) {
                    return 0;
                }
                int w = t.waiter().await(Waiter.FOREVER);
                if (w < 0) {
                    return w;
                }
            }
        } finally {
            queue.unregister(t.waiter());
        }
    }

    @Override
    public synchronized int readiness(int mask) {
        int m = 0;
        // Linux reports only POLLIN and POLLOUT here, never the RDNORM/WRNORM variants.
        if (count != 0) {
            m |= Poll.POLLIN;
        }
        if (count != MAX) { // writable while at least 1 can be added
            m |= Poll.POLLOUT;
        }
        return m;
    }

    @Override
    public WaitQueue eventQueue() {
        return queue;
    }

    /** The counter, for /proc/pid/fdinfo and tests. */
    public synchronized long count() {
        return count;
    }
}
