package dev.jvisor.platform.systrap;

import dev.jvisor.abi.Log;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a task thread and its stub thread hand off by spinning instead of sleeping, platform-wide.
 *
 * <p>A futex round trip between two threads on one CPU costs about 7 us here, one that wakes the other CPU
 * 35-55 us, and a round trip where both sides poll on separate CPUs 2.4 us. Spinning pays only while the two
 * sides really run at once, i.e. another CPU is free, and while the other side answers soon. So a context
 * <em>splits</em> (its stub thread moves to another CPU, both sides spin a bounded time before they sleep) only
 * with a permit, of which there are {@code cpus / 2} (each split pair keeps two CPUs busy), and only while its
 * recent waits were short; otherwise both sides sleep on futexes on one CPU, as without this policy.
 *
 * <p>{@code -Djvisor.systrap.spin=adaptive} (the default), {@code never} (futex only, one CPU) or {@code always}
 * (every context split and spinning whenever there are two CPUs, whatever its waits; for measurement).
 */
final class SpinPolicy {
    enum Mode { ADAPTIVE, NEVER, ALWAYS }

    /** A context splits when its average wait for the stub falls below this, and merges above LEAVE_NS. */
    static final long ENTER_NS = 20_000, LEAVE_NS = 60_000;
    /** A gap this long between two switches (the task thread blocked in the sentry) ends a split. */
    static final long IDLE_NS = 1_000_000;
    /** The longest either side spins before it sleeps, and the shortest. */
    static final long MAX_SPIN_NS = 50_000, MIN_SPIN_NS = 5_000;
    /** What one poll of the handler's spin loop (load + pause) costs, about, on this machine class. */
    static final long POLL_NS = 25;
    /** Switches a context stays in a mode before it may change again (a change moves a thread to a CPU). */
    static final int DWELL = 64;

    final Mode mode;
    final int cpus;
    private final int maxSplit;
    private final AtomicInteger split = new AtomicInteger();

    SpinPolicy(Mode mode, int cpus) {
        this.mode = cpus < 2 ? Mode.NEVER : mode;
        this.cpus = cpus;
        this.maxSplit = this.mode == Mode.ALWAYS ? Integer.MAX_VALUE : cpus / 2;
    }

    /** The policy {@code -Djvisor.systrap.spin} asks for on {@code cpus} CPUs. */
    static SpinPolicy fromProperty(int cpus) {
        String v = System.getProperty("jvisor.systrap.spin", "adaptive").trim().toUpperCase(Locale.ROOT);
        Mode m;
        try {
            m = Mode.valueOf(v);
        } catch (IllegalArgumentException e) {
            Log.warn("systrap: unknown jvisor.systrap.spin=" + v + "; using adaptive");
            m = Mode.ADAPTIVE;
        }
        return new SpinPolicy(m, cpus);
    }

    /** Whether a context whose average wait is {@code waitEwma} ns should try to split. */
    boolean wantsSplit(long waitEwma) {
        return mode == Mode.ALWAYS || mode == Mode.ADAPTIVE && waitEwma < ENTER_NS;
    }

    /** Whether a split context with this average wait, and this gap since its last switch, should merge. */
    boolean wantsMerge(long waitEwma, long gap) {
        return mode == Mode.ADAPTIVE && (waitEwma > LEAVE_NS || gap > IDLE_NS);
    }

    /** Takes a split permit if one is free (a CPU pair nobody else spins on). */
    boolean tryAcquire() {
        for (;;) {
            int n = split.get();
            if (n >= maxSplit) {
                return false;
            }
            if (split.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        split.decrementAndGet();
    }

    /** How many contexts are split now (for tests and diagnostics). */
    int splitCount() {
        return split.get();
    }

    /** How long to spin for an answer that took {@code ewma} ns on average: twice that, within bounds. */
    static long spinNanos(long ewma) {
        return Math.max(MIN_SPIN_NS, Math.min(MAX_SPIN_NS, 2 * ewma));
    }
}
