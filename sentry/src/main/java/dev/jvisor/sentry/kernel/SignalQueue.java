package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Signals;
import java.util.ArrayDeque;

/**
 * Pending signals of a task or of a whole process, as Linux's {@code struct sigpending}: a bit per pending
 * signal and the queued siginfo. A standard signal (1..31) that is already pending is not queued again
 * (coalesced); a real-time one queues every instance with its own siginfo, in order.
 *
 * <p>Guarded by the owning process's {@link ProcessSignals} lock; {@link #bits()} may be read without it.
 */
final class SignalQueue {
    /** SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS: a fault is taken before any other pending signal. */
    static final long SYNCHRONOUS = bit(Signals.SIGSEGV) | bit(Signals.SIGBUS) | bit(Signals.SIGILL)
            | bit(Signals.SIGTRAP) | bit(Signals.SIGFPE) | bit(Signals.SIGSYS);

    @SuppressWarnings("unchecked")
    private final ArrayDeque<SignalInfo>[] queued = new ArrayDeque[Signals.NSIG + 1];
    private volatile long bits;

    static long bit(int sig) {
        return 1L << (sig - 1);
    }

    long bits() {
        return bits;
    }

    boolean isPending(int sig) {
        return (bits & bit(sig)) != 0;
    }

    /**
     * Queues {@code info}. Returns false when a standard signal was already pending and this one merged into it.
     */
    boolean enqueue(SignalInfo info) {
        int sig = info.signo();
        if (sig < Signals.SIGRTMIN && isPending(sig)) {
            return false;
        }
        ArrayDeque<SignalInfo> q = queued[sig];
        if (q == null) {
            q = queued[sig] = new ArrayDeque<>(2);
        }
        q.addLast(info);
        bits |= bit(sig);
        return true;
    }

    /** The signal {@link #dequeue} would take among {@code allowed}: a synchronous one first, else the lowest. */
    int next(long allowed) {
        long p = bits & allowed;
        if (p == 0) {
            return 0;
        }
        long sync = p & SYNCHRONOUS;
        return Long.numberOfTrailingZeros(sync != 0 ? sync : p) + 1;
    }

    /** Removes and returns the first instance of {@code sig}, or null if none is pending. */
    SignalInfo dequeue(int sig) {
        ArrayDeque<SignalInfo> q = queued[sig];
        if (q == null || q.isEmpty()) {
            return null;
        }
        SignalInfo i = q.removeFirst();
        if (q.isEmpty()) {
            bits &= ~bit(sig);
        }
        return i;
    }

    /** Discards every pending instance of the signals in {@code set}; returns how many siginfo were dropped. */
    int discard(long set) {
        int n = 0;
        long p = bits & set;
        while (p != 0) {
            int sig = Long.numberOfTrailingZeros(p) + 1;
            p &= p - 1;
            n += queued[sig].size();
            queued[sig].clear();
        }
        bits &= ~set;
        return n;
    }
}
