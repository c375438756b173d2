package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Signals;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * A process's signal-sending timers: the three setitimer(2) timers (ITIMER_REAL also serves alarm(2)) and its
 * POSIX timers (timer_create(2)). Kept beside the {@link ThreadGroup} in a side table so this work stays out of
 * the shared class; fork makes a new group and so starts with none, as Linux does. At exec, {@link #onExec}
 * deletes the POSIX timers (setitimer ones survive exec).
 *
 * <p>ITIMER_VIRTUAL and ITIMER_PROF count the workload's CPU time, which the sentry does not measure yet: their
 * settings are kept and read back, but they never expire.
 */
public final class ProcessTimers {
    public static final int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
    public static final int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;
    /** Linux caps a POSIX timer's overrun count at DELAYTIMER_MAX. */
    public static final int DELAYTIMER_MAX = Integer.MAX_VALUE;

    private static final Map<ThreadGroup, ProcessTimers> TABLE = Collections.synchronizedMap(new WeakHashMap<>());

    /** The timers of {@code tg}, made on first use. */
    public static ProcessTimers of(ThreadGroup tg) {
        return TABLE.computeIfAbsent(tg, g -> new ProcessTimers());
    }

    /** execve: POSIX timers are deleted; interval timers and alarm stay. Call from the exec code. */
    public static void onExec(ThreadGroup tg) {
        ProcessTimers pt = TABLE.get(tg);
        if (pt != null) {
            pt.deleteAllPosix();
        }
    }

    /** The process is gone: every timer stops. */
    public static void onExit(ThreadGroup tg) {
        ProcessTimers pt = TABLE.remove(tg);
        if (pt != null) {
            pt.deleteAllPosix();
            for (IntervalTimer it : pt.itimers) {
                if (it != null) {
                    it.cancel();
                }
            }
        }
    }

    /** A POSIX timer: the timer, how it notifies, and its overrun count. Fields guarded by the ProcessTimers. */
    public static final class PosixTimer {
        public final int id;
        public final int clock;
        public final int notify;
        public final int signo;
        public final long value;
        public final Task target;
        public final IntervalTimer timer;
        public int overrun;

        PosixTimer(int id, int clock, int notify, int signo, long value, Task target) {
            this.id = id;
            this.clock = clock;
            this.notify = notify;
            this.signo = signo;
            this.value = value;
            this.target = target;
            this.timer = new IntervalTimer((tm, n) -> expired(n));
        }

        private void expired(long n) {
            synchronized (this) {
                overrun = (int) Math.min(DELAYTIMER_MAX, n - 1);
            }
            if (notify != SIGEV_NONE && !target.threadGroup().exiting()) {
                SignalInfo info;
                synchronized (this) {
                    info = SignalInfo.timer(signo, id, overrun, value);
                }
                if ((notify & SIGEV_THREAD_ID) != 0) {
                    SignalDelivery.sendToTask(target, info);
                } else {
                    SignalDelivery.sendToProcess(target.kernel(), target.threadGroup(), info);
                }
            }
        }
    }

    private final IntervalTimer[] itimers = new IntervalTimer[3];
    private final long[][] itimerSettings = new long[3][]; // VIRTUAL and PROF: kept, never run
    private final Map<Integer, PosixTimer> posix = new TreeMap<>();
    private int nextId;

    /** The ITIMER_REAL/VIRTUAL/PROF timer {@code which}, which signals {@code target}'s process. */
    public synchronized long[] setItimer(int which, Task target, long valueNs, long intervalNs) {
        if (which != ITIMER_REAL) {
            long[] old = itimerSettings[which] == null ? new long[] {0, 0} : itimerSettings[which];
            itimerSettings[which] = valueNs == 0 ? null : new long[] {valueNs, intervalNs};
            return old;
        }
        if (itimers[which] == null) {
            itimers[which] = new IntervalTimer((tm, n) -> {
                if (!target.threadGroup().exiting()) {
                    SignalDelivery.sendToProcess(target.kernel(), target.threadGroup(),
                            new SignalInfo(Signals.SIGALRM, dev.jvisor.abi.SigInfo.SI_KERNEL));
                }
            });
        }
        return itimers[which].set(valueNs, intervalNs);
    }

    public synchronized long[] getItimer(int which) {
        if (which != ITIMER_REAL) {
            return itimerSettings[which] == null ? new long[] {0, 0} : itimerSettings[which].clone();
        }
        return itimers[which] == null ? new long[] {0, 0} : itimers[which].get();
    }

    /** timer_create: a new POSIX timer with the lowest id not in use... Linux hands them out in order. */
    public synchronized PosixTimer create(int clock, int notify, int signo, long value, Task target) {
        int id = nextId++;
        PosixTimer pt = new PosixTimer(id, clock, notify, signo, value == Long.MIN_VALUE ? id : value, target);
        posix.put(id, pt);
        return pt;
    }

    public synchronized PosixTimer get(int id) {
        return posix.get(id);
    }

    public synchronized boolean delete(int id) {
        PosixTimer pt = posix.remove(id);
        if (pt == null) {
            return false;
        }
        pt.timer.cancel();
        return true;
    }

    private synchronized void deleteAllPosix() {
        for (PosixTimer pt : posix.values()) {
            pt.timer.cancel();
        }
        posix.clear();
    }
}
