package dev.jvisor.sentry.kernel;

/** A process's resource limits (getrlimit(2)), soft and hard per resource. Guarded by this. */
public final class Rlimits {
    public static final int CPU = 0, FSIZE = 1, DATA = 2, STACK = 3, CORE = 4, RSS = 5, NPROC = 6, NOFILE = 7,
            MEMLOCK = 8, AS = 9, LOCKS = 10, SIGPENDING = 11, MSGQUEUE = 12, NICE = 13, RTPRIO = 14, RTTIME = 15,
            NLIMITS = 16;
    public static final long INFINITY = -1L;

    private final long[] soft = new long[NLIMITS];
    private final long[] hard = new long[NLIMITS];

    public Rlimits() {
        java.util.Arrays.fill(soft, INFINITY);
        java.util.Arrays.fill(hard, INFINITY);
        set(STACK, 8L << 20, INFINITY);
        set(CORE, 0, INFINITY);
        set(NOFILE, 1024, 1024 * 1024);
        set(MEMLOCK, 8L << 20, 8L << 20);
        set(NPROC, 63_000, 63_000);
        set(SIGPENDING, 63_000, 63_000);
        set(MSGQUEUE, 819_200, 819_200);
        set(NICE, 0, 0);
        set(RTPRIO, 0, 0);
    }

    public synchronized long soft(int r) {
        return soft[r];
    }

    public synchronized long hard(int r) {
        return hard[r];
    }

    public synchronized void set(int r, long s, long h) {
        soft[r] = s;
        hard[r] = h;
    }
}
