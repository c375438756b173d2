package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Host;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.mm.Vma;
import dev.jvisor.sentry.platform.AddressSpace;
import java.util.List;

/**
 * A process's CPU-time and memory accounting: what getrusage(2), wait4(2)'s rusage, times(2), the CPU-time clocks
 * and /proc/[pid]/stat report.
 *
 * <p>User time is the CPU time of the host process that runs the workload's code: the platform's stub for the
 * process's address space ({@link AddressSpace#cpuTimeNanos}), counted from when the process started using it
 * (a vfork child shares its parent's stub) and added up over execve. The host only lets another process read a
 * whole process's clock, not one of its threads', so a thread's user time is the process's, shared out in
 * proportion to the time each thread spent in user mode by the wall clock (exact for a single-threaded process).
 * System time is the CPU time of each task's own sentry thread, which emulates its syscalls.
 *
 * <p>Children's times (and their children's) are added to their parent when it reaps them with wait, as Linux
 * does; children reaped because SIGCHLD is ignored are not counted. The monitor of this object is a leaf lock:
 * no other lock is taken under it, and the only host calls under it are CPU-clock reads, which never block.
 */
public final class CpuTimes {
    private final ThreadGroup tg;

    // guarded by this
    /** The stub now running the process's code, and its CPU time when the process began to use it. */
    private AddressSpace as;
    private long asStart;
    /** User time in stubs the process no longer uses (before execve), and the last value read from {@link #as}. */
    private long userBase;
    private long lastStub;
    /** Sentry-thread CPU time and user-mode wall time of the process's exited tasks. */
    private long sysExited;
    private long wallExited;
    /** The largest resident size seen, in bytes (exec and exit sample it). */
    private long maxRss;
    /** Totals of the children reaped by wait (with their own children's). */
    private long childUser;
    private long childSys;
    private long childMaxRss;

    CpuTimes(ThreadGroup tg) {
        this.tg = tg;
    }

    /** The host clock id of thread {@code hostTid}'s CPU time (man 3 clock_getcpuclockid, CPUCLOCK encoding). */
    static int threadClock(int hostTid) {
        return dev.jvisor.abi.Time.threadCpuClock(hostTid);
    }

    /** The process starts running its code in {@code a}: from now, the stub's CPU time is its user time. */
    public synchronized void attach(AddressSpace a) {
        if (as != null) {
            detachLocked();
        }
        long now = a.cpuTimeNanos();
        as = a;
        asStart = Math.max(0, now);
        lastStub = asStart;
    }

    /** The first task of a process starts: it begins to use its address space, if it had none yet. */
    synchronized void attachIfNone(AddressSpace a) {
        if (as == null && a != null) {
            long now = a.cpuTimeNanos();
            as = a;
            asStart = Math.max(0, now);
            lastStub = asStart;
        }
    }

    /**
     * The process stops using its address space (execve, or its last task is leaving): its user time there is
     * final. Samples the resident size of {@code mm} for ru_maxrss. Call before the address space is released.
     */
    public synchronized void detach(MemoryManager mm) {
        if (mm != null) {
            maxRss = Math.max(maxRss, residentSize(mm));
        }
        detachLocked();
    }

    private void detachLocked() {
        if (as != null) {
            userBase += stubLocked() - asStart;
            as = null;
        }
    }

    /** The CPU time of the stub so far; the last value read if it can no longer be read (it died). */
    private long stubLocked() {
        long now = as.cpuTimeNanos();
        if (now >= lastStub) {
            lastStub = now;
        }
        return lastStub;
    }

    /** The process's user time in nanoseconds: every thread's, live or exited. */
    public synchronized long userNanos() {
        return userBase + (as == null ? 0 : stubLocked() - asStart);
    }

    /** The process's system time in nanoseconds: every thread's, live or exited. */
    public long sysNanos() {
        List<Task> live = tg.tasks(); // the tree lock, before this monitor
        synchronized (this) {
            long n = sysExited;
            for (Task t : live) {
                if (!t.cpuAccounted()) {
                    n += t.sysNanos();
                }
            }
            return n;
        }
    }

    /** Task {@code t}'s user time: its share of the process's, by its wall-clock time in user mode. */
    public long userNanos(Task t) {
        List<Task> live = tg.tasks();
        synchronized (this) {
            long wall = wallExited;
            for (Task o : live) {
                if (!o.cpuAccounted()) {
                    wall += o.userWallNanos();
                }
            }
            long user = userNanos();
            if (wall <= 0 || live.size() <= 1 && wallExited == 0) {
                return user;
            }
            return (long) (user * Math.min(1.0, (double) t.userWallNanos() / wall));
        }
    }

    /** Task {@code t} is exiting, on its own thread: its system and user-mode wall time join the process's. */
    synchronized void taskExited(Task t) {
        if (!t.cpuAccounted()) {
            sysExited += t.sysNanos();
            wallExited += t.userWallNanos();
            t.cpuAccounted(true);
        }
    }

    /** ru_maxrss in bytes: the largest resident size of the process seen so far, {@code mm} being its current. */
    public long maxRss(MemoryManager mm) {
        long now = mm == null ? 0 : residentSize(mm);
        synchronized (this) {
            maxRss = Math.max(maxRss, now);
            return maxRss;
        }
    }

    /** Children's user time (RUSAGE_CHILDREN, times' tms_cutime). */
    public synchronized long childUserNanos() {
        return childUser;
    }

    public synchronized long childSysNanos() {
        return childSys;
    }

    public synchronized long childMaxRss() {
        return childMaxRss;
    }

    /**
     * The usage wait4 reports for this process, and its parent inherits when reaping it: {user, sys, maxrss}
     * of the process and its reaped children together (Linux's RUSAGE_BOTH).
     */
    public long[] total() {
        long sys = sysNanos();
        synchronized (this) {
            return new long[] {userNanos() + childUser, sys + childSys, Math.max(maxRss, childMaxRss)};
        }
    }

    /** A child has been reaped by wait: its totals (from {@link #total()}) join this process's children's. */
    synchronized void addChild(long[] total) {
        childUser += total[0];
        childSys += total[1];
        childMaxRss = Math.max(childMaxRss, total[2]);
    }

    /** Resident bytes, approximated as in /proc's VmRSS: every accessible mapped page. */
    private static long residentSize(MemoryManager mm) {
        long n = 0;
        for (Vma v : mm.vmas()) {
            if (v.readable()) {
                n += v.length();
            }
        }
        return n;
    }

    /** The CPU time of host thread {@code hostTid} (a thread of this JVM), or -1 when it is gone. */
    static long threadCpu(int hostTid) {
        return Host.cpuClockNanos(threadClock(hostTid));
    }
}
