package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's PID namespace: every task by thread ID, every process (live or zombie) by PID, and the IDs in
 * use. Its monitor is the <em>task-tree lock</em>: it guards the process tree (each {@link ThreadGroup}'s
 * parent, children, tasks and zombie state) and these tables. Nothing that blocks or calls the platform runs
 * under it. Lock order: the tree lock, then a ThreadGroup's own monitor.
 *
 * <p>IDs are allocated upwards from 1 and wrap at {@link #PID_MAX} to 2, skipping IDs in use: a live task's
 * TID, or a process's PID until it is reaped. The task count is capped ({@link #maxTasks}): clone beyond it
 * fails with EAGAIN, as it does under a pids cgroup limit.
 */
public final class PidNamespace {
    /** Linux's PID_MAX_LIMIT on 64-bit. */
    public static final int PID_MAX = 4_194_304;
    /** Default cap on live tasks when the container sets no pids limit (Linux's default pid_max). */
    public static final int DEFAULT_MAX_TASKS = 32_768;

    private final Map<Integer, Task> tasks = new HashMap<>();
    private final Map<Integer, ThreadGroup> groups = new HashMap<>();
    /** IDs handed out and not yet given back: live TIDs plus the PIDs of unreaped processes. */
    private final Map<Integer, Boolean> used = new HashMap<>();
    private int last;
    private int maxTasks = DEFAULT_MAX_TASKS;
    private int liveTasks;
    /** IDs allocated for tasks that are not in the table yet (a clone in progress): they count against the cap. */
    private int pendingIds;
    private ThreadGroup init;
    /** CPU totals {user, sys} of processes reaped with no parent inside (exec'd ones): nobody inherits them. */
    private long outsideUser;
    private long outsideSys;

    /** Sets the most tasks that may exist at once (linux.resources.pids.limit). */
    public synchronized void maxTasks(int n) {
        this.maxTasks = Math.max(1, n);
    }

    public synchronized int maxTasks() {
        return maxTasks;
    }

    /** The next free ID, or -EAGAIN when the task cap is reached or no ID is free. */
    public synchronized int allocate() {
        if (liveTasks + pendingIds >= maxTasks) {
            return (int) Errno.EAGAIN.ret();
        }
        for (int i = 0; i < PID_MAX; i++) {
            int id = last + 1 >= PID_MAX ? 2 : last + 1;
            last = id;
            if (!used.containsKey(id)) {
                used.put(id, Boolean.TRUE);
                pendingIds++;
                return id;
            }
        }
        return (int) Errno.EAGAIN.ret();
    }

    /** Gives back an ID that {@link #allocate} returned but no task took (a failed clone). */
    public synchronized void abandon(int id) {
        if (!tasks.containsKey(id) && !groups.containsKey(id)) {
            used.remove(id);
        }
        pendingIds--;
    }

    /** Adds a task that took an allocated ID (and its process, when it is the first task). Tree lock held. */
    void add(Task t) {
        tasks.put(t.tid(), t);
        used.put(t.tid(), Boolean.TRUE);
        groups.putIfAbsent(t.pid(), t.threadGroup());
        liveTasks++;
        pendingIds = Math.max(0, pendingIds - 1);
        if (init == null) {
            init = t.threadGroup();
        }
    }

    /** Removes a task that has exited. Its TID is free again unless it is its process's PID. Tree lock held. */
    void remove(Task t) {
        if (tasks.get(t.tid()) == t) {
            tasks.remove(t.tid());
            liveTasks--;
            if (t.tid() != t.pid() || !groups.containsKey(t.tid())) {
                used.remove(t.tid());
            }
        }
        notifyAll();
    }

    /** Moves a task to a new TID (a non-leader's execve takes over its process's PID). Tree lock held. */
    void renumber(Task t, int oldTid) {
        if (tasks.get(oldTid) == t) {
            tasks.remove(oldTid);
            used.remove(oldTid);
        }
        tasks.put(t.tid(), t);
        used.put(t.tid(), Boolean.TRUE);
    }

    /** Forgets a reaped process: its PID is free once no task holds it. Tree lock held. */
    void removeGroup(ThreadGroup g) {
        if (groups.get(g.pid()) == g) {
            groups.remove(g.pid());
            if (!tasks.containsKey(g.pid())) {
                used.remove(g.pid());
            }
        }
    }

    /** Every process, live or zombie. Tree lock held. */
    java.util.Collection<ThreadGroup> groupsLocked() {
        return groups.values();
    }

    /** Whether a task has thread ID {@code tid}. Tree lock held. */
    boolean hasTask(int tid) {
        return tasks.containsKey(tid);
    }

    /** The task with thread ID {@code tid}, or null. */
    public synchronized Task task(int tid) {
        return tasks.get(tid);
    }

    /** The process with PID {@code pid} (live or zombie), or null. */
    public synchronized ThreadGroup group(int pid) {
        return groups.get(pid);
    }

    /** The sandbox's init process: the first one added (PID 1). Orphans are reparented to it. */
    public synchronized ThreadGroup init() {
        return init;
    }

    /** The live tasks as "tid (comm)" for diagnostics. */
    synchronized String describeLive() {
        StringBuilder sb = new StringBuilder();
        for (Task t : tasks.values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(t.tid()).append(" (").append(t.comm()).append(')');
        }
        return sb.toString();
    }

    /** The processes that have a live task, by PID. */
    public synchronized List<ThreadGroup> liveGroups() {
        List<ThreadGroup> l = new ArrayList<>();
        for (ThreadGroup g : groups.values()) {
            if (!g.liveTasks().isEmpty()) {
                l.add(g);
            }
        }
        return l;
    }

    /** Live tasks. */
    public synchronized int liveTasks() {
        return liveTasks;
    }

    /** Every live process but {@code except}, for killing them all when init exits. */
    synchronized List<ThreadGroup> groupsExcept(ThreadGroup except) {
        List<ThreadGroup> l = new ArrayList<>();
        for (ThreadGroup g : groups.values()) {
            if (g != except) {
                l.add(g);
            }
        }
        return l;
    }

    /**
     * Waits until at most {@code n} tasks are live or {@code timeoutMillis} passes (init's exit waits for the
     * others to go). Returns whether the count was reached.
     */
    synchronized boolean awaitLiveTasksAtMost(int n, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (liveTasks > n) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * The CPU time every process of the namespace has used, {user, sys} in nanoseconds: each process in the
     * table (live or zombie) with the children it reaped, plus the processes reaped without a parent inside. A
     * process reaped because SIGCHLD is ignored leaves nothing, as in Linux's accounting. The clocks are read
     * outside the tree lock, so a wait that reaps a process during the read may count it twice or not at all.
     */
    public long[] cpuTotals() {
        List<ThreadGroup> all;
        long user;
        long sys;
        synchronized (this) {
            all = new ArrayList<>(groups.values());
            user = outsideUser;
            sys = outsideSys;
        }
        for (ThreadGroup g : all) {
            long[] t = g.cpu().total();
            user += t[0];
            sys += t[1];
        }
        return new long[] {user, sys};
    }

    /** A process with no parent inside is reaped: its totals stay in {@link #cpuTotals}. Tree lock held. */
    void reapedOutside(long[] total) {
        outsideUser += total[0];
        outsideSys += total[1];
    }
}
