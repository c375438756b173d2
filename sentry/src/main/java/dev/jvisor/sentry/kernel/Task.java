package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.FaultInfo;
import dev.jvisor.sentry.syscalls.SyscallArguments;
import dev.jvisor.sentry.syscalls.SyscallTable;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FsContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A workload thread. Each task runs on its own Java platform thread, which is also the thread that drives its
 * platform context (a ptrace tracer must be one fixed thread). Every field is owned by that thread unless it
 * says otherwise.
 */
public final class Task {
    /** Size of {@link #scratch()}: room for any fixed-size syscall struct. */
    public static final int SCRATCH_SIZE = 4096;

    private final Kernel kernel;
    private final ThreadGroup threadGroup;
    private volatile int tid;
    private final Arena arena = Arena.ofShared();
    private final Registers regs = new Registers(arena);
    private final FpState fpState = new FpState(arena);
    private final SyscallArguments args = new SyscallArguments();
    private SignalActions signalActions;
    /** Native scratch space for syscall structs, so handlers allocate nothing. Owned by the task thread. */
    private final MemorySegment scratch = arena.allocate(SCRATCH_SIZE, 64);

    private volatile Context context;
    private MemoryManager mm;
    private FdTable fdTable;
    private FsContext fs;
    private Credentials creds;
    private String comm = "";
    private long clearChildTid;
    private long robustList;
    private long robustListLen;
    /** Written by the task thread only; read by senders choosing a task to wake. */
    private volatile long signalMask;
    private final TaskSignals signals = new TaskSignals();
    private volatile boolean exited;
    /** The wait(2) status of this task's exit(2); the process's if it was the last task. */
    private int exitStatus;
    /** Set while a vfork parent waits for this task to exec or exit. */
    private volatile Completion vforkDone;
    private final Prctl prctl = new Prctl();
    private final Waiter waiter = new Waiter(this);
    /** The host tid of the task thread (its CPU clock is the task's system time); 0 before it runs. */
    private volatile int hostTid;
    /** Wall time spent in user mode (switchToUser); written by the task thread, read racily by accounting. */
    private long userWallNanos;
    /** System time when it was last read; final once {@link #cpuAccounted}. */
    private volatile long sysNanos;
    /** The last group stop this task joined; see {@link ProcessSignals#participate}. Guarded by the signal lock. */
    private int stopGeneration;
    /** Set when the task's times have joined its process's exited-task totals. Guarded by the CpuTimes. */
    private boolean cpuAccounted;

    /** Per-task prctl(2) settings. Owned by the task thread. */
    public static final class Prctl {
        /** PR_SET_PDEATHSIG: sent to this task's process when the parent thread that forked it exits. */
        public volatile int pdeathsig;
        public int dumpable = 1;
        public boolean keepCaps;
        public boolean childSubreaper;
        public boolean noNewPrivs;
    }

    public Task(Kernel kernel, ThreadGroup threadGroup, int tid, Credentials creds) {
        this.kernel = kernel;
        this.threadGroup = threadGroup;
        this.tid = tid;
        this.creds = creds;
        if (threadGroup.signalActions() == null) {
            threadGroup.signalActions(new SignalActions());
        }
        this.signalActions = threadGroup.signalActions();
        threadGroup.addTask(this);
    }

    public Kernel kernel() { return kernel; }
    public ThreadGroup threadGroup() { return threadGroup; }
    public int tid() { return tid; }
    public int pid() { return threadGroup.pid(); }
    public Registers regs() { return regs; }
    public FpState fpState() { return fpState; }
    public SyscallArguments args() { return args; }
    public SignalActions signalActions() { return signalActions; }
    /** Pending signals, alternate stack, restart state; see {@link SignalDelivery}. */
    public TaskSignals signals() { return signals; }

    /** Replaces the signal actions (execve unsharing them). Task thread, with no other task in the group. */
    public void signalActions(SignalActions a) { this.signalActions = a; threadGroup.signalActions(a); }

    /** A {@link #SCRATCH_SIZE}-byte native buffer for the current syscall's structs; contents are not kept. */
    public MemorySegment scratch() { return scratch; }
    public Context context() { return context; }
    public void context(Context c) { this.context = c; }
    public MemoryManager mm() { return mm; }
    public void mm(MemoryManager m) { this.mm = m; }
    public FdTable fdTable() { return fdTable; }
    public void fdTable(FdTable f) { this.fdTable = f; }
    public FsContext fs() { return fs; }
    public void fs(FsContext f) { this.fs = f; }
    public Credentials creds() { return creds; }
    public String comm() { return comm; }

    /** Sets the command name as Linux does: the basename, truncated to 15 bytes. */
    public void comm(String name) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        this.comm = base.length() > 15 ? base.substring(0, 15) : base;
    }

    public Prctl prctlState() { return prctl; }

    /** The CPU time of the task's sentry thread so far (its system time); the last value once it has ended. */
    public long sysNanos() {
        int tid = hostTid;
        if (tid != 0 && !cpuAccounted) {
            long n = CpuTimes.threadCpu(tid);
            if (n >= 0) {
                sysNanos = n;
            }
        }
        return sysNanos;
    }

    /** The wall time this task has spent running user code. */
    public long userWallNanos() { return userWallNanos; }
    boolean cpuAccounted() { return cpuAccounted; }
    int stopGeneration() { return stopGeneration; }
    void stopGeneration(int g) { this.stopGeneration = g; }
    void cpuAccounted(boolean a) { this.cpuAccounted = a; }

    /** How this task blocks in the sentry; see {@link Waiter}. */
    public Waiter waiter() { return waiter; }

    /**
     * Whether a blocking syscall of this task must stop waiting: its process is exiting or stopping, or a signal
     * it does not block is pending. Any thread.
     */
    public boolean interrupted() {
        return exited || threadGroup.exiting() || SignalDelivery.hasDeliverable(this);
    }

    /** Whether this task or its process is on its way out. */
    public boolean exiting() {
        return exited || threadGroup.exiting();
    }
    public long clearChildTid() { return clearChildTid; }
    public void clearChildTid(long a) { this.clearChildTid = a; }
    public void robustList(long head, long len) { this.robustList = head; this.robustListLen = len; }
    public long robustList() { return robustList; }
    public long signalMask() { return signalMask; }

    /** Sets the blocked-signal mask; SIGKILL and SIGSTOP can never be blocked. */
    public void signalMask(long mask) {
        this.signalMask = mask & ~((1L << (Signals.SIGKILL - 1)) | (1L << (Signals.SIGSTOP - 1)));
    }

    private static final ThreadLocal<Task> CURRENT = new ThreadLocal<>();

    /**
     * The task whose thread is calling, or null on a thread that runs no task. File operations that block (a
     * pipe read) reach their task's {@link Waiter} through this, since read(2)'s file interface has no task.
     */
    public static Task current() {
        return CURRENT.get();
    }

    /**
     * Sends {@code sig} to this task from the kernel, as Linux's send_sig(sig, current): a SIGPIPE from a write
     * to a broken pipe. Delivered before the task returns to user mode.
     */
    public void sendSignal(int sig) {
        SignalDelivery.sendToSelf(this, sig);
    }

    /** Makes the task leave user mode soon and look at its state (exit, signals). Any thread. */
    public void interrupt() {
        waiter.wake();
        Context c = context;
        if (c != null) {
            c.interrupt();
        }
    }

    /** Ends this task (exit(2)); the loop stops after the current syscall. */
    public void exit() {
        exited = true;
    }

    /** Ends this task with a wait(2) status (exit(2)); the loop stops after the current syscall. */
    public void exit(int waitStatus) {
        exitStatus = waitStatus;
        exited = true;
    }

    /** The status given to {@link #exit(int)}. */
    public int exitStatus() {
        return exitStatus;
    }

    /** Whether this task has been told to end by itself (exit(2), or another thread's execve). */
    public boolean exited() {
        return exited;
    }

    /** Renumbers the task (a non-leader thread's execve takes over the PID). Kernel only. */
    void tid(int newTid) {
        this.tid = newTid;
    }

    /** The completion a vfork parent waits on, or null. */
    public Completion vforkDone() {
        return vforkDone;
    }

    public void vforkDone(Completion c) {
        this.vforkDone = c;
    }

    /**
     * The task loop: run user code until an event, handle it, repeat, until the task or its group exits.
     * Returns when the task is gone; the group's exit status is then final if this was its last task.
     */
    public void run() {
        waiter.bind(Thread.currentThread());
        CURRENT.set(this);
        kernel.register(this);
        hostTid = dev.jvisor.abi.Host.gettid();
        if (mm != null) { // null for a task discarded before it got an address space (a failed exec)
            threadGroup.cpu().attachIfNone(mm.addressSpace());
        }
        try {
            boolean afterSyscall = false;
            Freezer freezer = kernel.freezer();
            long retriedFault = -1;
            long retriedGen = -1;
            while (!exited && !threadGroup.exiting()) {
                if (freezer.frozen()) {
                    freezer.park(this); // paused: no user code runs until the thaw, unless the task must die
                }
                SignalDelivery.beforeUserMode(this, afterSyscall);
                if (exited || threadGroup.exiting()) {
                    break;
                }
                long u0 = System.nanoTime(); // vDSO: no host call; user time's weights between threads
                Event e = context.switchToUser(mm.addressSpace(), regs);
                userWallNanos += System.nanoTime() - u0;
                afterSyscall = e == Event.SYSCALL;
                if (e != Event.FAULT) {
                    retriedFault = -1;
                }
                switch (e) {
                    case SYSCALL -> {
                        syscall();
                        afterSyscall = args.nr != Sysno.RT_SIGRETURN; // its RAX is the restored one
                    }
                    case SYSCALL_I386 -> regs.rax(Errno.ENOSYS.ret());
                    case FAULT -> {
                        // Copy-on-write and SIGBUS past EOF are mm's. The same address faulting again with no
                        // write permission taken away in between is a real fault.
                        FaultInfo f = context.fault();
                        long gen = mm.protectionGeneration();
                        if ((f.addr != retriedFault || gen != retriedGen) && mm.handleFault(f)) {
                            retriedFault = f.addr;
                            retriedGen = gen;
                            continue;
                        }
                        retriedFault = -1;
                        fault(f);
                    }
                    case INTERRUPT -> { }
                    case DIED -> threadGroup.beginExit(Signals.SIGKILL);
                }
            }
        } catch (RuntimeException | Error err) {
            Log.warn("task " + tid + " (" + comm + ") failed in the sentry; killing it", err);
            threadGroup.beginExit(Signals.SIGKILL);
        } finally {
            waiter.release();
            if (threadGroup.exiting() || threadGroup.taskCount() <= 1) {
                ProcessTimers.onExit(threadGroup); // the process's timers end with it
            }
            TaskExit.exit(this);
        }
    }

    private void syscall() {
        args.load(regs);
        Strace st = kernel.strace();
        long t0 = 0;
        if (st != null) {
            st.enter(this, args);
            t0 = System.nanoTime();
        }
        long ret;
        try {
            ret = SyscallTable.dispatch(this, args);
        } catch (ErrnoException ee) {
            ret = ee.ret();
        } catch (IndexOutOfBoundsException | IllegalArgumentException ex) {
            // A bad length or offset that slipped past a handler's checks: the workload gets EINVAL, the
            // sentry keeps running, and the bug is logged.
            Log.warn("syscall " + Sysno.name(args.nr) + " threw; returning EINVAL", ex);
            ret = Errno.EINVAL.ret();
        }
        regs.rax(ret);
        if (st != null) {
            st.exit(this, args, ret, System.nanoTime() - t0);
        }
    }

    /** A synchronous fault: the signal is forced on this task (its handler runs, or the process dies). */
    private void fault(FaultInfo f) {
        Log.debug("task " + tid + ": " + Signals.name(f.signo) + " code " + f.code + " at 0x"
                + Long.toHexString(f.addr) + ", rip 0x" + Long.toHexString(regs.rip()));
        SignalDelivery.fault(this, f);
    }
}
