package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A process: the tasks sharing a PID, its place in the process tree (parent, children), its exit status and
 * resource limits. Tree fields are guarded by the {@link PidNamespace} monitor (the task-tree lock); the exit
 * status by this.
 */
public final class ThreadGroup {
    private final int pid;
    /** getppid() when there is no parent process in the namespace (init: its parent lies outside). */
    private final int outsidePpid;
    private final PidNamespace ns;
    private final Rlimits rlimits = new Rlimits();
    private final CountDownLatch exited = new CountDownLatch(1);
    private final ProcessSignals signals = new ProcessSignals();
    private final CpuTimes cpu = new CpuTimes(this);
    /** Notified when a child becomes a zombie (wait4, waitid). */
    private final WaitQueue childEvents = new WaitQueue();
    /** Notified when one of this process's tasks exits (execve waits for the other threads to go). */
    private final WaitQueue taskExits = new WaitQueue();

    // guarded by this
    private boolean exiting;
    private int exitStatus;

    // guarded by ns
    private ThreadGroup parent;
    /** The parent's thread that forked it (Linux's real_parent): its exit sends PR_SET_PDEATHSIG. */
    private Task parentTask;
    private final List<ThreadGroup> children = new ArrayList<>();
    private final List<Task> tasks = new ArrayList<>();
    private int pgid;
    private int sid;
    /** The signal the parent gets when this process ends (SIGCHLD, or clone's choice; 0 for none). */
    private int exitSignal = Signals.SIGCHLD;
    private boolean zombie;
    /** The real UID of the last task to exit (waitid's si_uid). */
    private int exitUid;
    private boolean reaped;
    /** A stop (0x7f | sig << 8) or continue (0xffff) not yet reported by wait4/waitid; 0 for none. */
    private int stateReport;
    private int stateUid;
    /** Set by execve: setpgid(2) on a child that has exec'd is EACCES. */
    private boolean execed;
    /** The signal actions its tasks share; the parent's decide whether its zombie children are auto-reaped. */
    private volatile SignalActions signalActions;
    /** The controlling terminal (Linux's signal->tty): inherited by fork, dropped by setsid; guarded by ns. */
    private ControllingTerminal tty;

    /** A process outside any tree (tests): its own namespace, with getppid() = {@code ppid}. */
    public ThreadGroup(int pid, int ppid) {
        this(new PidNamespace(), pid, ppid, null);
    }

    private ThreadGroup(PidNamespace ns, int pid, int outsidePpid, ThreadGroup parent) {
        this.ns = ns;
        this.pid = pid;
        this.outsidePpid = outsidePpid;
        this.parent = parent;
        this.pgid = pid;
        this.sid = pid;
    }

    /** The first process of {@code ns} (the sandbox's init), whose parent is outside the namespace. */
    public static ThreadGroup newInit(PidNamespace ns, int pid) {
        return new ThreadGroup(ns, pid, 0, null);
    }

    /**
     * A new process with PID {@code pid} forked by {@code creator}: its child, or with {@code cloneParent} its
     * sibling (CLONE_PARENT: same parent, and the creator's exit signal); in the creator's process group and
     * session, with a copy of its resource limits. Linked into the tree when its first task is added.
     */
    public static ThreadGroup forked(ThreadGroup creator, boolean cloneParent, int pid, int exitSignal) {
        ThreadGroup g;
        synchronized (creator.ns) {
            g = new ThreadGroup(creator.ns, pid, 0, cloneParent ? creator.parent : creator);
            g.pgid = creator.pgid;
            g.sid = creator.sid;
            g.tty = creator.tty;
            g.exitSignal = cloneParent ? creator.exitSignal : exitSignal;
            g.parentTask = cloneParent ? creator.parentTask : Task.current();
        }
        for (int r = 0; r < Rlimits.NLIMITS; r++) {
            g.rlimits.set(r, creator.rlimits.soft(r), creator.rlimits.hard(r));
        }
        return g;
    }

    public int pid() {
        return pid;
    }

    public PidNamespace namespace() {
        return ns;
    }

    /** getppid(2): the parent's PID, 0 for init (its parent is outside the sandbox). */
    public int ppid() {
        synchronized (ns) {
            return parent != null ? parent.pid : outsidePpid;
        }
    }

    public int pgid() {
        synchronized (ns) {
            return pgid;
        }
    }

    public int sid() {
        synchronized (ns) {
            return sid;
        }
    }

    public Rlimits rlimits() {
        return rlimits;
    }

    /** CPU time and memory use, the process's and its reaped children's. */
    public CpuTimes cpu() {
        return cpu;
    }

    /** The process's shared pending signals and job-control state; its monitor is the signal lock. */
    public ProcessSignals signals() {
        return signals;
    }

    public SignalActions signalActions() {
        return signalActions;
    }

    public void signalActions(SignalActions a) {
        this.signalActions = a;
    }

    /** Waiters for this process's children changing state. */
    public WaitQueue childEvents() {
        return childEvents;
    }

    /** Waiters for this process's tasks exiting. */
    public WaitQueue taskExits() {
        return taskExits;
    }

    /**
     * Starts group exit with a wait(2) status (code {@code << 8}, or the terminating signal); the first one wins.
     * Every task of the group is interrupted so that it leaves user mode and any blocking wait.
     */
    public void beginExit(int waitStatus) {
        synchronized (this) {
            if (exiting) {
                return;
            }
            exiting = true;
            exitStatus = waitStatus;
        }
        for (Task t : tasks()) {
            t.interrupt();
        }
    }

    public synchronized boolean exiting() {
        return exiting;
    }

    /** Sets the exit status when the last task leaves by exit(2) without a group exit. */
    synchronized void exitedWith(int waitStatus) {
        if (!exiting) {
            exiting = true;
            exitStatus = waitStatus;
        }
    }

    /** Called when the process has ended: no task is left (it is a zombie, or was reaped at once). */
    public void finishExit() {
        exited.countDown();
    }

    /** Blocks until the group has exited; returns its wait(2) status. */
    public int awaitExit() throws InterruptedException {
        exited.await();
        synchronized (this) {
            return exitStatus;
        }
    }

    public synchronized int exitStatus() {
        return exitStatus;
    }

    // ---- the tree; callers hold the ns lock unless a method takes it ----

    /** A snapshot of the live tasks. */
    public List<Task> tasks() {
        synchronized (ns) {
            return new ArrayList<>(tasks);
        }
    }

    /** The live task count. */
    public int taskCount() {
        synchronized (ns) {
            return tasks.size();
        }
    }

    /** The first live task (the leader while it lives), or null once all have exited. */
    public Task anyTask() {
        synchronized (ns) {
            return tasks.isEmpty() ? null : tasks.get(0);
        }
    }

    /** Links a new task into this group (and a new group into its parent's children). */
    void addTask(Task t) {
        synchronized (ns) {
            if (tasks.isEmpty() && parent != null && !parent.children.contains(this)) {
                parent.children.add(this);
            }
            tasks.add(t);
            ns.add(t);
        }
    }

    /**
     * Tells the parent that this process has ended (tree lock held): wakes its wait4/waitid callers. The exit
     * signal (SIGCHLD) is sent by TaskExit once the tree lock is released.
     */
    void notifyParentOfExit() {
        if (parent != null) {
            parent.childEvents.notify(WaitQueue.ALL);
        }
    }

    ThreadGroup parent() {
        return parent;
    }

    List<Task> liveTasks() {
        return tasks;
    }

    List<ThreadGroup> children() {
        return children;
    }

    int exitSignal() {
        return exitSignal;
    }

    boolean zombie() {
        return zombie;
    }

    boolean reaped() {
        return reaped;
    }

    int exitUid() {
        return exitUid;
    }

    void exitUid(int uid) {
        this.exitUid = uid;
    }

    void zombie(boolean z) {
        this.zombie = z;
    }

    void reaped(boolean r) {
        this.reaped = r;
    }

    /** Records a stop or continue for wait(2); the newer replaces an unreported older one. Tree lock held. */
    void stateReport(int status, int uid) {
        this.stateReport = status;
        this.stateUid = uid;
    }

    int stateReport() {
        return stateReport;
    }

    int stateUid() {
        return stateUid;
    }

    int pgidLocked() {
        return pgid;
    }

    void pgidLocked(int g) {
        this.pgid = g;
    }

    int sidLocked() {
        return sid;
    }

    void sidLocked(int s) {
        this.sid = s;
    }

    boolean execed() {
        return execed;
    }

    /** Records that the process has exec'd (setpgid's EACCES for its parent). */
    public void markExeced() {
        synchronized (ns) {
            execed = true;
        }
    }

    ControllingTerminal ttyLocked() {
        return tty;
    }

    void ttyLocked(ControllingTerminal t) {
        this.tty = t;
    }

    void parent(ThreadGroup p) {
        this.parent = p;
    }

    Task parentTask() {
        return parentTask;
    }

    void parentTask(Task t) {
        this.parentTask = t;
    }
}
