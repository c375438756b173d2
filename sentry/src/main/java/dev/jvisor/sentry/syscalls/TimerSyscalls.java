package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Poll;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Time;
import dev.jvisor.sentry.fs.timerfd.TimerFileDescription;
import dev.jvisor.sentry.kernel.CpuTimes;
import dev.jvisor.sentry.kernel.IntervalTimer;
import dev.jvisor.sentry.kernel.ProcessTimers;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.MemorySegment;

/**
 * Timers: timerfd_create/settime/gettime, alarm, setitimer/getitimer, the POSIX timer_* calls, and the
 * accounting calls times(2) and getrusage(2), which report the kernel's {@link CpuTimes}.
 */
final class TimerSyscalls {
    private TimerSyscalls() {}

    private static final long USEC = 1000L, NSEC_PER_SEC = Time.NANOS_PER_SECOND;
    /** USER_HZ: the unit of times(2). */
    private static final long CLK_TCK = 100;

    // ---- timerfd --------------------------------------------------------------------------------------------

    private static boolean timerfdClock(int c) {
        return c == Time.CLOCK_REALTIME || c == Time.CLOCK_MONOTONIC || c == Time.CLOCK_BOOTTIME
                || c == Time.CLOCK_REALTIME_ALARM || c == Time.CLOCK_BOOTTIME_ALARM;
    }

    /** Implements timerfd_create(2). */
    static long timerfdCreate(Task t, SyscallArguments a) {
        int clock = a.i(0), flags = a.i(1);
        if ((flags & ~(Poll.TFD_CLOEXEC | Poll.TFD_NONBLOCK)) != 0 || !timerfdClock(clock)) {
            return Errno.EINVAL.ret();
        }
        return EventSyscalls.install(t, new TimerFileDescription(clock, (flags & Poll.TFD_NONBLOCK) != 0),
                (flags & Poll.TFD_CLOEXEC) != 0);
    }

    /** Implements timerfd_settime(2). */
    static long timerfdSettime(Task t, SyscallArguments a) {
        int flags = a.i(1);
        if ((flags & ~(Poll.TFD_TIMER_ABSTIME | Poll.TFD_TIMER_CANCEL_ON_SET)) != 0) {
            return Errno.EINVAL.ret();
        }
        long[] spec = readItimerspec(t, a.a2);
        if (spec == null) {
            return Errno.EINVAL.ret();
        }
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (!(f instanceof TimerFileDescription tf)) {
                return Errno.EINVAL.ret();
            }
            long value = spec[1];
            if ((flags & Poll.TFD_TIMER_ABSTIME) != 0 && value != 0) {
                value = Math.max(1, value - now(t, tf.clock()));
            }
            long[] old = tf.timer().set(value, spec[0]);
            if (a.a3 != 0) {
                writeItimerspec(t, a.a3, old);
            }
            return 0;
        } finally {
            f.decRef();
        }
    }

    /** Implements timerfd_gettime(2). */
    static long timerfdGettime(Task t, SyscallArguments a) {
        FileDescription f = t.fdTable().get(a.i(0));
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try {
            if (!(f instanceof TimerFileDescription tf)) {
                return Errno.EINVAL.ret();
            }
            writeItimerspec(t, a.a1, tf.timer().get());
            return 0;
        } finally {
            f.decRef();
        }
    }

    // ---- alarm and setitimer --------------------------------------------------------------------------------

    /** Implements alarm(2): seconds left on the previous alarm, rounded as Linux does. */
    static long alarm(Task t, SyscallArguments a) {
        long secs = a.a0 & 0xffffffffL;
        long[] old = ProcessTimers.of(t.threadGroup()).setItimer(ProcessTimers.ITIMER_REAL, t, secs * NSEC_PER_SEC, 0);
        long rem = old[0];
        long sec = rem / NSEC_PER_SEC, usec = rem % NSEC_PER_SEC / USEC;
        if ((sec == 0 && usec != 0) || usec >= 500_000) {
            sec++;
        }
        return sec;
    }

    /** Implements setitimer(2). A NULL new value disarms, as Linux still allows. */
    static long setitimer(Task t, SyscallArguments a) {
        int which = a.i(0);
        if (which < 0 || which > ProcessTimers.ITIMER_PROF) {
            return Errno.EINVAL.ret();
        }
        long interval = 0, value = 0;
        if (a.a1 != 0) {
            MemorySegment s = t.scratch();
            t.mm().copyIn(a.a1, s, 32);
            interval = timeval(s, 0);
            value = timeval(s, 16);
            if (interval < 0 || value < 0) {
                return Errno.EINVAL.ret();
            }
        }
        long[] old = ProcessTimers.of(t.threadGroup()).setItimer(which, t, value, interval);
        if (a.a2 != 0) {
            writeItimerval(t, a.a2, old);
        }
        return 0;
    }

    /** Implements getitimer(2). */
    static long getitimer(Task t, SyscallArguments a) {
        int which = a.i(0);
        if (which < 0 || which > ProcessTimers.ITIMER_PROF) {
            return Errno.EINVAL.ret();
        }
        writeItimerval(t, a.a1, ProcessTimers.of(t.threadGroup()).getItimer(which));
        return 0;
    }

    /** A struct timeval at {@code off} as nanoseconds, or -1 when out of range. */
    private static long timeval(MemorySegment s, long off) {
        long sec = s.get(JAVA_LONG, off), usec = s.get(JAVA_LONG, off + 8);
        if (sec < 0 || usec < 0 || usec >= 1_000_000) {
            return -1;
        }
        return sec >= Long.MAX_VALUE / NSEC_PER_SEC / 4 ? Long.MAX_VALUE / 4 : sec * NSEC_PER_SEC + usec * USEC;
    }

    /** Writes {interval, value} (from {remaining, interval}) as a struct itimerval, rounding up to a microsecond. */
    private static void writeItimerval(Task t, long addr, long[] v) {
        MemorySegment s = t.scratch();
        long interval = v[1], value = v[0];
        long ius = (interval + USEC - 1) / USEC, vus = (value + USEC - 1) / USEC;
        s.set(JAVA_LONG, 0, ius / 1_000_000);
        s.set(JAVA_LONG, 8, ius % 1_000_000);
        s.set(JAVA_LONG, 16, vus / 1_000_000);
        s.set(JAVA_LONG, 24, vus % 1_000_000);
        t.mm().copyOut(addr, s, 32);
    }

    // ---- POSIX timers ---------------------------------------------------------------------------------------

    private static boolean posixClock(int c) {
        return c == Time.CLOCK_REALTIME || c == Time.CLOCK_MONOTONIC || c == Time.CLOCK_BOOTTIME
                || c == Time.CLOCK_REALTIME_ALARM || c == Time.CLOCK_BOOTTIME_ALARM || c == Time.CLOCK_TAI;
    }

    /** Implements timer_create(2): SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID (own thread group). */
    static long timerCreate(Task t, SyscallArguments a) {
        int clock = a.i(0);
        if (!posixClock(clock)) {
            return Errno.EINVAL.ret();
        }
        int notify = ProcessTimers.SIGEV_SIGNAL, signo = Signals.SIGALRM;
        long value = Long.MIN_VALUE; // "the timer id", filled in by create
        Task target = t;
        if (a.a1 != 0) {
            MemorySegment s = t.scratch();
            t.mm().copyIn(a.a1, s, 64);
            value = s.get(JAVA_LONG, 0);
            signo = s.get(JAVA_INT, 8);
            notify = s.get(JAVA_INT, 12);
            switch (notify) {
                case ProcessTimers.SIGEV_THREAD_ID -> {
                    if (s.get(JAVA_INT, 16) != t.tid()) {
                        return Errno.EINVAL.ret(); // another thread of the group: needs the task list
                    }
                    if (signo <= 0 || signo > Signals.SIGRTMAX) {
                        return Errno.EINVAL.ret();
                    }
                }
                case ProcessTimers.SIGEV_SIGNAL, ProcessTimers.SIGEV_THREAD -> {
                    if (signo <= 0 || signo > Signals.SIGRTMAX) {
                        return Errno.EINVAL.ret();
                    }
                }
                case ProcessTimers.SIGEV_NONE -> { }
                default -> {
                    return Errno.EINVAL.ret();
                }
            }
        }
        ProcessTimers pts = ProcessTimers.of(t.threadGroup());
        ProcessTimers.PosixTimer pt = pts.create(clock, notify, signo, value, target);
        try {
            t.mm().writeInt(a.a2, pt.id);
        } catch (RuntimeException e) {
            pts.delete(pt.id);
            throw e;
        }
        return 0;
    }

    private static ProcessTimers.PosixTimer timer(Task t, long id) {
        if (id < 0 || id > Integer.MAX_VALUE) {
            return null;
        }
        return ProcessTimers.of(t.threadGroup()).get((int) id);
    }

    /** Implements timer_settime(2). */
    static long timerSettime(Task t, SyscallArguments a) {
        ProcessTimers.PosixTimer pt = timer(t, a.i(0));
        long[] spec = readItimerspec(t, a.a2);
        if (spec == null) {
            return Errno.EINVAL.ret();
        }
        if (pt == null) {
            return Errno.EINVAL.ret();
        }
        long value = spec[1];
        if ((a.i(1) & Time.TIMER_ABSTIME) != 0 && value != 0) {
            value = Math.max(1, value - now(t, pt.clock));
        }
        long[] old = pt.timer.set(value, spec[0]);
        if (a.a3 != 0) {
            writeItimerspec(t, a.a3, old);
        }
        return 0;
    }

    /** Implements timer_gettime(2). */
    static long timerGettime(Task t, SyscallArguments a) {
        ProcessTimers.PosixTimer pt = timer(t, a.i(0));
        if (pt == null) {
            return Errno.EINVAL.ret();
        }
        writeItimerspec(t, a.a1, pt.timer.get());
        return 0;
    }

    /** Implements timer_getoverrun(2). */
    static long timerGetoverrun(Task t, SyscallArguments a) {
        ProcessTimers.PosixTimer pt = timer(t, a.i(0));
        if (pt == null) {
            return Errno.EINVAL.ret();
        }
        synchronized (pt) {
            return pt.overrun;
        }
    }

    /** Implements timer_delete(2). */
    static long timerDelete(Task t, SyscallArguments a) {
        long id = a.i(0);
        return id >= 0 && ProcessTimers.of(t.threadGroup()).delete((int) id) ? 0 : Errno.EINVAL.ret();
    }

    // ---- struct itimerspec ----------------------------------------------------------------------------------

    /** {interval, value} in nanoseconds, or null when a field is out of range (EINVAL). EFAULT is thrown. */
    private static long[] readItimerspec(Task t, long addr) {
        MemorySegment s = t.scratch();
        t.mm().copyIn(addr, s, 32);
        long[] r = new long[2];
        for (int i = 0; i < 2; i++) {
            long sec = s.get(JAVA_LONG, 16L * i), nsec = s.get(JAVA_LONG, 16L * i + 8);
            if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) {
                return null;
            }
            r[i] = sec >= Long.MAX_VALUE / NSEC_PER_SEC / 4 ? Long.MAX_VALUE / 4 : sec * NSEC_PER_SEC + nsec;
        }
        return r;
    }

    /** Writes {remaining, interval} as a struct itimerspec {interval, value}. */
    private static void writeItimerspec(Task t, long addr, long[] v) {
        MemorySegment s = t.scratch();
        s.set(JAVA_LONG, 0, v[1] / NSEC_PER_SEC);
        s.set(JAVA_LONG, 8, v[1] % NSEC_PER_SEC);
        s.set(JAVA_LONG, 16, v[0] / NSEC_PER_SEC);
        s.set(JAVA_LONG, 24, v[0] % NSEC_PER_SEC);
        t.mm().copyOut(addr, s, 32);
    }

    /** Now on {@code clock}, in nanoseconds (the alarm clocks read as their base clocks). */
    private static long now(Task t, int clock) {
        int hc = clock == Time.CLOCK_REALTIME_ALARM ? Time.CLOCK_REALTIME
                : clock == Time.CLOCK_BOOTTIME_ALARM ? Time.CLOCK_BOOTTIME : clock;
        MemorySegment s = t.scratch();
        Host.clockGettime(hc, s);
        return s.get(JAVA_LONG, 0) * NSEC_PER_SEC + s.get(JAVA_LONG, 8);
    }

    // ---- accounting -----------------------------------------------------------------------------------------

    /** Implements times(2): ticks since boot; the struct holds the process's and its reaped children's times. */
    static long times(Task t, SyscallArguments a) {
        if (a.a0 != 0) {
            CpuTimes c = t.threadGroup().cpu();
            long user = c.userNanos(), sys = c.sysNanos();
            MemorySegment s = t.scratch();
            s.set(JAVA_LONG, 0, ticks(user));
            s.set(JAVA_LONG, 8, ticks(sys));
            s.set(JAVA_LONG, 16, ticks(c.childUserNanos()));
            s.set(JAVA_LONG, 24, ticks(c.childSysNanos()));
            t.mm().copyOut(a.a0, s, 32);
        }
        // Linux starts jiffies 5 minutes before wrap-around; clock_t readers only take differences.
        return t.kernel().uptimeNanos() / (NSEC_PER_SEC / CLK_TCK) + 1;
    }

    private static long ticks(long nanos) {
        return nanos / (NSEC_PER_SEC / CLK_TCK);
    }

    private static final int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
    /** sizeof(struct rusage). */
    static final int RUSAGE_SIZE = 144;

    /**
     * Implements getrusage(2): user and system time from the kernel's accounting ({@link CpuTimes}), ru_maxrss
     * the largest resident size seen (every accessible mapped page counts as resident). The fault, block-I/O,
     * message, signal and context-switch counts are not kept and read as 0.
     */
    static long getrusage(Task t, SyscallArguments a) {
        int who = a.i(0);
        CpuTimes c = t.threadGroup().cpu();
        switch (who) {
            case RUSAGE_SELF -> writeRusage(t, a.a1, c.userNanos(), c.sysNanos(), c.maxRss(t.mm()));
            case RUSAGE_THREAD -> writeRusage(t, a.a1, c.userNanos(t), t.sysNanos(), c.maxRss(t.mm()));
            case RUSAGE_CHILDREN -> writeRusage(t, a.a1, c.childUserNanos(), c.childSysNanos(), c.childMaxRss());
            default -> {
                return Errno.EINVAL.ret();
            }
        }
        return 0;
    }

    /** Writes a struct rusage with these times and ru_maxrss (given in bytes, stored in KiB); the rest 0. */
    static void writeRusage(Task t, long addr, long userNanos, long sysNanos, long maxRssBytes) {
        MemorySegment s = t.scratch();
        s.asSlice(0, RUSAGE_SIZE).fill((byte) 0);
        s.set(JAVA_LONG, 0, userNanos / NSEC_PER_SEC);
        s.set(JAVA_LONG, 8, userNanos % NSEC_PER_SEC / USEC);
        s.set(JAVA_LONG, 16, sysNanos / NSEC_PER_SEC);
        s.set(JAVA_LONG, 24, sysNanos % NSEC_PER_SEC / USEC);
        s.set(JAVA_LONG, 32, maxRssBytes / 1024);
        t.mm().copyOut(addr, s, RUSAGE_SIZE);
    }
}
