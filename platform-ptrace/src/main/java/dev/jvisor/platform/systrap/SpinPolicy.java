package dev.jvisor.platform.systrap;

import dev.jvisor.abi.Log;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

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

    /** A context splits when its averages (wait and serve) fall below this, and merges when one is above LEAVE_NS. */
    static final long ENTER_NS = 20_000, LEAVE_NS = 60_000;
    /** The largest sample the averages take (six in a row take an average past LEAVE_NS). */
    static final long CLAMP_NS = 2 * LEAVE_NS;
    /** A gap this long between two switches (the task thread blocked in the sentry) ends a split. */
    static final long IDLE_NS = 1_000_000;
    /** The longest either side spins before it sleeps, and the shortest (a wake across CPUs costs 35-55 us). */
    static final long MAX_SPIN_NS = 50_000, MIN_SPIN_NS = 20_000;
    /** What one poll of the handler's spin loop (load + pause) costs, about, on this machine class. */
    static final long POLL_NS = 25;
    /** Switches a context stays in a mode before it may change again (a change moves a thread to a CPU). */
    static final int DWELL = 64;

    /** Activity stamps: each context's last switch (nanoTime), one cache line each, indexed by context id. */
    private static final int STAMPS = 64, STRIDE = 8;

    final Mode mode;
    final int cpus;
    private final int maxSplit;
    private final AtomicInteger split = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicLongArray stamps = new AtomicLongArray(STAMPS * STRIDE);

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

    /**
     * Whether a context should try to split, given its average wait for the stub and its average time between
     * switches (the stub's wait for the sentry): both sides must answer soon, or one of them would sleep on a
     * futex that the other CPU wakes, the dearest handoff of all (two processes ping-ponging through a pipe).
     */
    boolean wantsSplit(long waitEwma, long serveEwma) {
        return mode == Mode.ALWAYS || mode == Mode.ADAPTIVE && waitEwma < ENTER_NS && serveEwma < ENTER_NS;
    }

    /** Whether a split context with these averages, and this gap since its last switch, should merge. */
    boolean wantsMerge(long waitEwma, long serveEwma, long gap) {
        return mode == Mode.ADAPTIVE && (waitEwma > LEAVE_NS || serveEwma > LEAVE_NS || gap > IDLE_NS);
    }

    /** An id for a new context's activity stamp (ids beyond STAMPS share stamps: the estimate only gets low). */
    int newId() {
        return Math.floorMod(ids.getAndIncrement(), STAMPS) * STRIDE;
    }

    /** Context {@code id} switches now. */
    void stamp(int id, long now) {
        stamps.setOpaque(id, now);
    }

    /** Context {@code id} is gone (released): it no longer counts as active. */
    void unstamp(int id) {
        stamps.setOpaque(id, 0);
    }

    /**
     * Whether the CPUs are free enough for context {@code id} to spin: the other contexts that switched within
     * IDLE_NS (the task threads busy with workload syscalls; blocked ones soon fall out) leave a CPU pair to it.
     * This is the estimate of idle CPUs; JVM threads (JIT, GC) show up only as longer waits.
     */
    boolean roomFor(int id, long now) {
        if (mode == Mode.ALWAYS) {
            return true;
        }
        int others = 0;
        for (int i = 0; i < STAMPS * STRIDE; i += STRIDE) {
            long t = stamps.getOpaque(i);
            if (i != id && t != 0 && now - t < IDLE_NS) {
                others++;
            }
        }
        return 2 * (others + 1) <= cpus;
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
