package dev.jvisor.abi;

/** Clock IDs, timer flags and the sizes of time structs. */
public final class Time {
    private Time() {}

    public static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
            CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
            CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9,
            CLOCK_TAI = 11;

    public static final int TIMER_ABSTIME = 1;

    /** struct timespec / struct timeval: two longs. */
    public static final int TIMESPEC_SIZE = 16;

    public static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** The CPUCLOCK encoding of clock ids below 0 (man 3 clock_getcpuclockid, linux/posix-timers.h). */
    public static final int CPUCLOCK_PROF = 0, CPUCLOCK_VIRT = 1, CPUCLOCK_SCHED = 2, CPUCLOCK_PERTHREAD = 4,
            CPUCLOCK_CLOCK_MASK = 3;

    /** The clock id of process {@code pid}'s precise CPU time (CPUCLOCK_SCHED). */
    public static int processCpuClock(int pid) {
        return ~pid << 3 | CPUCLOCK_SCHED;
    }

    /** The clock id of thread {@code tid}'s precise CPU time (CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD). */
    public static int threadCpuClock(int tid) {
        return ~tid << 3 | CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD;
    }
}
