package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.CpuTimes;
import dev.jvisor.sentry.kernel.Rlimits;
import dev.jvisor.sentry.kernel.SignalActions;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.mm.Vma;

/**
 * What /proc/[pid]/stat, /proc/[pid]/task/[tid]/stat and the matching lines of status show of one task, taken
 * from the kernel's state when the file is read. CPU times come from {@link CpuTimes}; the sentry keeps no
 * fault counts, so those fields are 0; the resident size counts every accessible mapped page (the memory file
 * does not say which pages the workload has touched).
 */
final class ProcStat {
    /** USER_HZ: the unit of the times in stat. */
    static final long CLOCK_TICKS = 100;

    private ProcStat() {}

    /**
     * One-letter state, as ps shows it: Z once the task has exited (its process is a zombie or a thread leader
     * that ended first), T while the process is stopped, R for the task reading the file, S otherwise (every
     * other task is in a syscall or about to be scheduled; the sentry does not tell them apart).
     */
    static char state(Task t) {
        ThreadGroup g = t.threadGroup();
        if (t.exited() || g.taskCount() == 0) {
            return 'Z';
        }
        if (g.signals().stopped()) {
            return 'T';
        }
        return Task.current() == t ? 'R' : 'S';
    }

    /** The long form status shows: "R (running)". */
    static String stateName(char state) {
        return switch (state) {
            case 'R' -> "R (running)";
            case 'T' -> "T (stopped)";
            case 'Z' -> "Z (zombie)";
            default -> "S (sleeping)";
        };
    }

    /** The address space {@code t}'s process uses, or null once every task has left it. */
    static MemoryManager mm(Task t) {
        MemoryManager mm = t.mm();
        if (mm == null) {
            Task any = t.threadGroup().anyTask();
            mm = any == null ? null : any.mm();
        }
        return mm;
    }

    /** VmSize: the bytes of every VMA. */
    static long virtualSize(MemoryManager mm) {
        long n = 0;
        if (mm != null) {
            for (Vma v : mm.vmas()) {
                n += v.length();
            }
        }
        return n;
    }

    /** VmRSS, approximated: the bytes of every VMA that can be accessed (PROT_NONE reservations are left out). */
    static long residentSize(MemoryManager mm) {
        long n = 0;
        if (mm != null) {
            for (Vma v : mm.vmas()) {
                if (v.readable()) {
                    n += v.length();
                }
            }
        }
        return n;
    }

    /**
     * The stat line of task {@code t} in proc(5)'s 52-field format, {@code id} being the PID (for
     * /proc/[pid]/stat) or the TID (for task/[tid]/stat) and {@code startNanos} when its process began.
     */
    static String line(Task t, int id, long bootNanos, long startNanos) {
        return line(t, id, bootNanos, startNanos, false);
    }

    /**
     * As {@link #line(Task, int, long, long)}; {@code whole}: the process's line (/proc/[pid]/stat), whose
     * utime and stime are every thread's, where a task's line has its own.
     */
    static String line(Task t, int id, long bootNanos, long startNanos, boolean whole) {
        ThreadGroup g = t.threadGroup();
        CpuTimes cpu = g.cpu();
        long utime = whole ? cpu.userNanos() : cpu.userNanos(t);
        long stime = whole ? cpu.sysNanos() : t.sysNanos();
        long tick = 1_000_000_000L / CLOCK_TICKS;
        char state = state(t);
        MemoryManager mm = state == 'Z' ? null : mm(t);     // a zombie has given its memory up: sizes are 0
        long start = Math.max(0, startNanos - bootNanos) / (1_000_000_000L / CLOCK_TICKS);
        long[] action = new long[4];
        long ignored = 0;
        long caught = 0;
        SignalActions actions = t.signalActions();
        if (actions != null) {
            for (int sig = 1; sig <= Signals.NSIG; sig++) {
                actions.get(sig, action);
                if (action[0] == Signals.SIG_IGN) {
                    ignored |= 1L << (sig - 1);
                } else if (action[0] != Signals.SIG_DFL) {
                    caught |= 1L << (sig - 1);
                }
            }
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append(id).append(" (").append(t.comm()).append(") ").append(state)
                .append(' ').append(g.ppid())
                .append(' ').append(g.pgid())
                .append(' ').append(g.sid())
                .append(" 0 -1")                       // tty_nr, tpgid: no controlling terminal
                .append(" 0")                          // flags
                .append(" 0 0 0 0")                    // minflt cminflt majflt cmajflt
                .append(' ').append(utime / tick)
                .append(' ').append(stime / tick)
                .append(' ').append(cpu.childUserNanos() / tick)
                .append(' ').append(cpu.childSysNanos() / tick)
                .append(" 20 0")                       // priority, nice
                .append(' ').append(g.taskCount())
                .append(" 0")                          // itrealvalue
                .append(' ').append(start)
                .append(' ').append(virtualSize(mm))
                .append(' ').append(residentSize(mm) / Mman.PAGE_SIZE)
                .append(' ').append(Long.toUnsignedString(g.rlimits().soft(Rlimits.RSS)))
                .append(" 0 0 0 0 0")                  // startcode endcode startstack kstkesp kstkeip
                .append(" 0")                          // signal (pending)
                .append(' ').append(t.signalMask())
                .append(' ').append(ignored)
                .append(' ').append(caught)
                .append(" 0 0 0")                      // wchan nswap cnswap
                .append(' ').append(Signals.SIGCHLD)   // exit_signal
                .append(" 0 0 0 0 0 0")                // processor rt_priority policy delayacct guest cguest
                .append(" 0 0 0 0 0 0 0")              // start_data end_data start_brk arg/env bounds
                .append(' ').append(state == 'Z' ? g.exitStatus() : 0)
                .append('\n');
        return sb.toString();
    }
}
