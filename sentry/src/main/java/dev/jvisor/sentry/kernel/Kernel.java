package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Log;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.platform.Platform;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.util.BitSet;

/**
 * One sandbox's kernel: the memory file, the platform, the filesystem, the PID space and kernel-wide settings.
 * Tasks reach it through {@link Task#kernel()}.
 */
public final class Kernel {
    /** The release uname(2) and /proc/version report; runsc reports the same, so programs see a kernel they know. */
    public static final String UTS_RELEASE = "4.4.0";
    public static final String UTS_VERSION = "#1 SMP Sun Jan 10 15:06:54 PST 2016";

    private final MemoryFile memoryFile;
    private final Platform platform;
    private final VirtualFilesystem vfs;
    private final String hostname;
    private final PidNamespace pids = new PidNamespace();
    private final FutexTable futexes = new FutexTable();
    private final long bootNanos = System.nanoTime();
    private volatile Strace strace;
    private final Freezer freezer = new Freezer(this);

    private final java.util.Set<Task> tasks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    // guarded by itself
    private final BitSet unimplementedLogged = new BitSet(Sysno.MAX);

    public Kernel(MemoryFile memoryFile, Platform platform, VirtualFilesystem vfs, String hostname) {
        this.memoryFile = memoryFile;
        this.platform = platform;
        this.vfs = vfs;
        this.hostname = hostname;
    }

    public MemoryFile memoryFile() {
        return memoryFile;
    }

    public Platform platform() {
        return platform;
    }

    public VirtualFilesystem vfs() {
        return vfs;
    }

    public String hostname() {
        return hostname;
    }

    /** Nanoseconds since the sandbox booted (CLOCK_BOOTTIME, sysinfo uptime). */
    public long uptimeNanos() {
        return System.nanoTime() - bootNanos;
    }

    /** The next free PID/TID, or -EAGAIN at the task limit. */
    public int allocatePid() {
        return pids.allocate();
    }

    /** The sandbox's PID namespace: the task table and the process tree's lock. */
    public PidNamespace pids() {
        return pids;
    }

    /** The futex wait queues. */
    public FutexTable futexes() {
        return futexes;
    }

    /** The strace sink, or null when --strace is off. */
    public Strace strace() {
        return strace;
    }

    public void strace(Strace s) {
        this.strace = s;
    }

    /** The sandbox-wide freezer (pause/resume). */
    public Freezer freezer() {
        return freezer;
    }

    /** Adds a running task (so it can be interrupted); called on the task's thread before it runs. */
    public void register(Task t) {
        tasks.add(t);
    }

    public void unregister(Task t) {
        tasks.remove(t);
    }

    /** Kicks every task out of user mode so it notices a pending exit or signal. */
    public void interruptAll() {
        for (Task t : tasks) {
            t.interrupt();
        }
    }

    // ---- signals: finding targets. These scan the running tasks; a PID table (tasks branch) replaces them. ----

    /** The live task with thread ID {@code tid}, or null. */
    public Task findTask(int tid) {
        return pids.task(tid);
    }

    /** The process with ID {@code pid} (live or zombie), or null. */
    public ThreadGroup findThreadGroup(int pid) {
        return pids.group(pid);
    }

    /** The live tasks of {@code tg}, its leader (tid == pid) first. */
    public java.util.List<Task> tasksOf(ThreadGroup tg) {
        java.util.List<Task> l = tg.tasks();
        for (int i = 1; i < l.size(); i++) {
            if (l.get(i).tid() == tg.pid()) {
                l.addFirst(l.remove(i));
                break;
            }
        }
        return l;
    }

    /** Every process of the sandbox's PID namespace that has a live task. */
    public java.util.List<ThreadGroup> threadGroups() {
        return pids.liveGroups();
    }

    /** The processes of process group {@code pgid} that have a live task. */
    public java.util.List<ThreadGroup> processGroup(int pgid) {
        java.util.List<ThreadGroup> l = new java.util.ArrayList<>();
        for (ThreadGroup g : pids.liveGroups()) {
            if (g.pgid() == pgid) {
                l.add(g);
            }
        }
        return l;
    }

    /** Logs an unimplemented syscall the first time its number is seen. */
    public void unimplemented(long nr) {
        int n = nr >= 0 && nr < Sysno.MAX ? (int) nr : Sysno.MAX - 1;
        synchronized (unimplementedLogged) {
            if (unimplementedLogged.get(n)) {
                return;
            }
            unimplementedLogged.set(n);
        }
        Log.warn("unimplemented syscall " + Sysno.name(nr) + " (" + nr + "): returning ENOSYS");
    }
}
