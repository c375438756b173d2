package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Sysno;
import dev.jvisor.abi.Time;
import dev.jvisor.sentry.kernel.CpuTimes;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import java.lang.foreign.MemorySegment;

/**
 * Clocks and sleeps. Wall and monotonic clocks are the host's, read with one host call into the task's scratch
 * buffer. The CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the clocks of other
 * processes and threads that clock_getcpuclockid(3) and pthread_getcpuclockid(3) encode) read the kernel's
 * accounting, {@link CpuTimes}: user time in the stub plus system time in the sentry.
 */
final class TimeSyscalls {
    private TimeSyscalls() {}

    /** Maps a workload clock id to the host clock that serves it, or -1 when Linux rejects the id. */
    private static int hostClock(int clock) {
        return switch (clock) {
            case Time.CLOCK_REALTIME, Time.CLOCK_MONOTONIC, Time.CLOCK_MONOTONIC_RAW, Time.CLOCK_REALTIME_COARSE,
                 Time.CLOCK_MONOTONIC_COARSE, Time.CLOCK_BOOTTIME, Time.CLOCK_TAI -> clock;
            case Time.CLOCK_REALTIME_ALARM -> Time.CLOCK_REALTIME;
            case Time.CLOCK_BOOTTIME_ALARM -> Time.CLOCK_BOOTTIME;
            case Time.CLOCK_PROCESS_CPUTIME_ID, Time.CLOCK_THREAD_CPUTIME_ID -> Time.CLOCK_THREAD_CPUTIME_ID;
            default -> -1;
        };
    }

    /** Reads host clock {@code hostClock} into the first 16 bytes of the task's scratch buffer. */
    private static MemorySegment now(Task t, int hostClock) {
        MemorySegment s = t.scratch();
        Host.clockGettime(hostClock, s);
        return s;
    }

    private static boolean cpuClock(int clock) {
        return clock < 0 || clock == Time.CLOCK_PROCESS_CPUTIME_ID || clock == Time.CLOCK_THREAD_CPUTIME_ID;
    }

    /**
     * The value of CPU-time clock {@code clock} in nanoseconds, or -EINVAL: an encoded clock must name the
     * calling thread's own process or a thread of it (Linux checks same_thread_group), or any process by its
     * PID, and not use clock type 3.
     */
    static long cpuClockNanos(Task t, int clock) {
        if (clock == Time.CLOCK_PROCESS_CPUTIME_ID) {
            CpuTimes c = t.threadGroup().cpu();
            return c.userNanos() + c.sysNanos();
        }
        if (clock == Time.CLOCK_THREAD_CPUTIME_ID) {
            return t.threadGroup().cpu().userNanos(t) + t.sysNanos();
        }
        int which = clock & Time.CPUCLOCK_CLOCK_MASK;
        int pid = ~(clock >> 3);
        if (which > Time.CPUCLOCK_SCHED) {
            return Errno.EINVAL.ret();
        }
        if ((clock & Time.CPUCLOCK_PERTHREAD) != 0) {
            Task target = pid == 0 ? t : t.threadGroup().namespace().task(pid);
            if (target == null || target.threadGroup() != t.threadGroup()) {
                return Errno.EINVAL.ret();
            }
            long user = t.threadGroup().cpu().userNanos(target);
            return which == Time.CPUCLOCK_VIRT ? user : user + target.sysNanos();
        }
        ThreadGroup g = pid == 0 ? t.threadGroup() : t.threadGroup().namespace().group(pid);
        if (g == null) {
            return Errno.EINVAL.ret();
        }
        CpuTimes c = g.cpu();
        long user = c.userNanos();
        return which == Time.CPUCLOCK_VIRT ? user : user + c.sysNanos();
    }

    /** Implements clock_gettime(2). */
    static long clockGettime(Task t, SyscallArguments a) {
        int clock = a.i(0);
        if (cpuClock(clock)) {
            long n = cpuClockNanos(t, clock);
            if (n < 0) {
                return n;
            }
            MemorySegment s = t.scratch();
            s.set(JAVA_LONG, 0, n / Time.NANOS_PER_SECOND);
            s.set(JAVA_LONG, 8, n % Time.NANOS_PER_SECOND);
            t.mm().copyOut(a.a1, s, Time.TIMESPEC_SIZE);
            return 0;
        }
        int hc = hostClock(clock);
        if (hc < 0) {
            return Errno.EINVAL.ret();
        }
        t.mm().copyOut(a.a1, now(t, hc), Time.TIMESPEC_SIZE);
        return 0;
    }

    /** Implements clock_getres(2). */
    static long clockGetres(Task t, SyscallArguments a) {
        int clock = a.i(0);
        int hc;
        if (clock < 0) {
            long r = cpuClockNanos(t, clock); // validates the encoded clock as Linux does
            if (r < 0) {
                return r;
            }
            // The same kind of clock of the sentry's own thread: the host's resolution (1 ns for SCHED, a tick
            // for PROF and VIRT).
            hc = ~0 << 3 | (clock & (Time.CPUCLOCK_CLOCK_MASK | Time.CPUCLOCK_PERTHREAD));
        } else {
            hc = hostClock(clock);
        }
        if (hc == -1) {
            return Errno.EINVAL.ret();
        }
        if (a.a1 != 0) {
            MemorySegment s = t.scratch();
            long r = Host.syscallFast(Sysno.CLOCK_GETRES, hc, s.address(), 0);
            if (r < 0) {
                return r;
            }
            t.mm().copyOut(a.a1, s, Time.TIMESPEC_SIZE);
        }
        return 0;
    }

    /** Implements gettimeofday(2); the timezone, when asked for, is UTC as in any container. */
    static long gettimeofday(Task t, SyscallArguments a) {
        if (a.a0 != 0) {
            MemorySegment s = now(t, Time.CLOCK_REALTIME);
            s.set(JAVA_LONG, 8, s.get(JAVA_LONG, 8) / 1000);
            t.mm().copyOut(a.a0, s, Time.TIMESPEC_SIZE);
        }
        if (a.a1 != 0) {
            MemorySegment s = t.scratch();
            s.set(JAVA_LONG, 0, 0);
            t.mm().copyOut(a.a1, s, 8);
        }
        return 0;
    }

    /** Implements time(2). */
    static long time(Task t, SyscallArguments a) {
        long sec = now(t, Time.CLOCK_REALTIME).get(JAVA_LONG, 0);
        if (a.a0 != 0) {
            t.mm().writeLong(a.a0, sec);
        }
        return sec;
    }

    /** Implements nanosleep(2). */
    static long nanosleep(Task t, SyscallArguments a) {
        long nanos = readDuration(t, a.a0);
        if (nanos < 0) {
            return nanos;
        }
        return sleepRelative(t, System.nanoTime() + nanos, a.a1);
    }

    /**
     * A relative sleep until {@code deadline} (System.nanoTime). Interrupted, it writes the time left to
     * {@code rmtp} (when not NULL) and returns ERESTART_RESTARTBLOCK: restarted, restart_syscall(2) sleeps to
     * the same deadline; under a handler, the caller sees EINTR and the remaining time, as on Linux.
     */
    private static long sleepRelative(Task t, long deadline, long rmtp) {
        if (t.waiter().sleepUntil(deadline) == 0) {
            return 0;
        }
        if (rmtp != 0) {
            long left = Math.max(0, deadline - System.nanoTime());
            MemorySegment s = t.scratch();
            s.set(JAVA_LONG, 0, left / Time.NANOS_PER_SECOND);
            s.set(JAVA_LONG, 8, left % Time.NANOS_PER_SECOND);
            t.mm().copyOut(rmtp, s, Time.TIMESPEC_SIZE);
        }
        t.signals().restartBlock(task -> sleepRelative(task, deadline, rmtp));
        return Errno.ERESTART_RESTARTBLOCK.ret();
    }

    /** Implements clock_nanosleep(2). */
    static long clockNanosleep(Task t, SyscallArguments a) {
        int clock = a.i(0);
        int hc = hostClock(clock);
        if (hc < 0) {
            return Errno.EINVAL.ret();
        }
        // Clocks without a sleep in Linux (thread CPU, raw, coarse), and the process CPU clock, which we cannot
        // measure yet.
        if (clock == Time.CLOCK_THREAD_CPUTIME_ID || clock == Time.CLOCK_MONOTONIC_RAW || clock == Time.CLOCK_REALTIME_COARSE
                || clock == Time.CLOCK_MONOTONIC_COARSE || clock == Time.CLOCK_PROCESS_CPUTIME_ID) {
            return Errno.EOPNOTSUPP.ret();
        }
        long req = readDuration(t, a.a2);
        if (req < 0) {
            return req;
        }
        if ((a.i(1) & Time.TIMER_ABSTIME) == 0) {
            return sleepRelative(t, System.nanoTime() + req, a.a3);
        }
        MemorySegment s = now(t, hc);
        long nanos = req - (s.get(JAVA_LONG, 0) * Time.NANOS_PER_SECOND + s.get(JAVA_LONG, 8));
        if (nanos <= 0 || t.waiter().sleepUntil(System.nanoTime() + nanos) == 0) {
            return 0;
        }
        // An absolute sleep is simply restarted with its arguments; nothing is written back.
        return Errno.ERESTARTNOHAND.ret();
    }

    /** Reads a struct timespec duration; -EFAULT or -EINVAL (negative seconds, nanoseconds out of range). */
    private static long readDuration(Task t, long addr) {
        MemorySegment s = t.scratch();
        t.mm().copyIn(addr, s, Time.TIMESPEC_SIZE);
        long sec = s.get(JAVA_LONG, 0), nsec = s.get(JAVA_LONG, 8);
        if (sec < 0 || nsec < 0 || nsec >= Time.NANOS_PER_SECOND) {
            return Errno.EINVAL.ret();
        }
        if (sec >= Long.MAX_VALUE / Time.NANOS_PER_SECOND) {
            return Long.MAX_VALUE / 2;
        }
        return sec * Time.NANOS_PER_SECOND + nsec;
    }
}
