package dev.jvisor.sentry.kernel;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A timer with a first expiry and an optional period, on the monotonic clock ({@link System#nanoTime}); the
 * basis of timerfd, setitimer/alarm and POSIX timers. Expirations are counted from the clock, not from how
 * punctually the timer thread runs: a late wake-up still counts every period that passed. The owner hears of
 * expirations through {@link Listener}, called on the timer thread.
 *
 * <p>Guarded by this. The listener is called without the lock.
 */
public final class IntervalTimer {
    /** Told how many expirations happened since the last call (at least 1). */
    @FunctionalInterface
    public interface Listener {
        void expired(IntervalTimer timer, long count);
    }

    /** One daemon thread runs every timer of the sentry; listeners must be quick and must not block. */
    private static final ScheduledThreadPoolExecutor THREAD = makeThread();

    private static ScheduledThreadPoolExecutor makeThread() {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jvisor-timers");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        return ex;
    }

    private final Listener listener;
    private boolean armed;
    private long next;       // nanoTime of the next expiry, when armed
    private long interval;   // 0 for a one-shot timer
    private long pending;    // expirations not yet taken by take()
    private long unreported; // expirations the listener has not been told of
    private long generation; // bumped by every set(), so a stale scheduled run does nothing
    private ScheduledFuture<?> future;

    public IntervalTimer(Listener listener) {
        this.listener = listener;
    }

    /**
     * Arms the timer to expire {@code valueNs} from now (0 disarms it), then every {@code intervalNs} (0: once).
     * Returns the previous setting as {@code {remaining, interval}}. Expirations not yet taken are discarded,
     * as timerfd_settime does.
     */
    public synchronized long[] set(long valueNs, long intervalNs) {
        long[] old = get();
        if (future != null) {
            future.cancel(false);
            future = null;
        }
        generation++;
        pending = 0;
        unreported = 0;
        armed = valueNs > 0;
        interval = armed ? Math.max(0, intervalNs) : 0;
        if (armed) {
            next = System.nanoTime() + valueNs;
            schedule(valueNs);
        }
        return old;
    }

    /** {@code {remaining, interval}} in nanoseconds; remaining is 0 when disarmed (and at least 1 when armed). */
    public synchronized long[] get() {
        advance(System.nanoTime());
        if (!armed) {
            return new long[] {0, interval};
        }
        return new long[] {Math.max(1, next - System.nanoTime()), interval};
    }

    /** Takes the expirations counted so far (timerfd's read): the count, then 0 until the next expiry. */
    public synchronized long take() {
        advance(System.nanoTime());
        long n = pending;
        pending = 0;
        return n;
    }

    /** The expirations counted and not yet taken. */
    public synchronized long pending() {
        advance(System.nanoTime());
        return pending;
    }

    /** Disarms the timer for good (the owner is gone). */
    public synchronized void cancel() {
        set(0, 0);
    }

    /** Counts the expirations up to {@code now}; returns how many were new. */
    private long advance(long now) {
        if (!armed || now - next < 0) {
            return 0;
        }
        long n = 1;
        if (interval > 0) {
            n += (now - next) / interval;
            next += n * interval;
        } else {
            armed = false;
        }
        pending += n;
        unreported += n;
        return n;
    }

    private void schedule(long delayNs) {
        long gen = generation;
        future = THREAD.schedule(() -> fire(gen), Math.max(0, delayNs), TimeUnit.NANOSECONDS);
    }

    private void fire(long gen) {
        long n;
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            advance(System.nanoTime());
            n = unreported;
            unreported = 0;
            if (armed) {
                schedule(next - System.nanoTime());
            } else {
                future = null;
            }
        }
        if (n > 0) {
            listener.expired(this, n);
        }
    }
}
