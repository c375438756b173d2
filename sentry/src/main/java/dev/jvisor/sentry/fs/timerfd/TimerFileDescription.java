package dev.jvisor.sentry.fs.timerfd;

import dev.jvisor.sentry.fs.anon.AnonFileDescription;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.kernel.IntervalTimer;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.mm.MemoryManager;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A timerfd: an {@link IntervalTimer} whose expirations a read(2) takes as an 8-byte count (waiting while there
 * are none). The clock only matters for absolute settings, which the syscall converts to a relative time.
 */
public final class TimerFileDescription extends AnonFileDescription {
    private final int clock;
    private final WaitQueue queue = new WaitQueue();
    private final IntervalTimer timer = new IntervalTimer((tm, n) -> queue.notify(Poll.POLLIN));

    public TimerFileDescription(int clock, boolean nonblocking) {
        super(Fcntl.O_RDWR | (nonblocking ? Fcntl.O_NONBLOCK : 0), "timerfd");
        this.clock = clock;
    }

    public int clock() {
        return clock;
    }

    public IntervalTimer timer() {
        return timer;
    }

    @Override
    public long readToUser(MemoryManager mm, long addr, long len) {
        if (len < 8) {
            return Errno.EINVAL.ret();
        }
        long n = timer.take();
        if (n == 0) {
            if ((flags() & Fcntl.O_NONBLOCK) != 0) {
                return Errno.EAGAIN.ret();
            }
            Task t = Task.current();
            if (t == null) {
                return Errno.EAGAIN.ret();
            }
            queue.register(t.waiter(), Poll.POLLIN);
            try {
                while ((n = timer.take()) == 0) {
                    int w = t.waiter().await(Waiter.FOREVER);
                    if (w < 0) {
                        return w;
                    }
                }
            } finally {
                queue.unregister(t.waiter());
            }
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8);
            s.set(JAVA_LONG_UNALIGNED, 0, n);
            mm.copyOut(addr, s, 8);
        }
        return 8;
    }

    @Override
    public long writeFromUser(MemoryManager mm, long addr, long len) {
        return Errno.EINVAL.ret();
    }

    @Override
    public int readiness(int mask) {
        return timer.pending() > 0 ? Poll.POLLIN : 0;
    }

    @Override
    public WaitQueue eventQueue() {
        return queue;
    }

    @Override
    protected void release() {
        timer.cancel();
    }
}
