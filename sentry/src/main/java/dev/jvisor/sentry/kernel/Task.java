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
    private final int tid;
    private final Arena arena = Arena.ofShared();
    private final Registers regs = new Registers(arena);
    private final FpState fpState = new FpState(arena);
    private final SyscallArguments args = new SyscallArguments();
    private final SignalActions signalActions = new SignalActions();
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
    private long signalMask;
    private volatile boolean exited;
    private final Prctl prctl = new Prctl();
    private final Waiter waiter = new Waiter(this);

    /** Per-task prctl(2) settings. Owned by the task thread. */
    public static final class Prctl {
        public int pdeathsig;
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
    }

    public Kernel kernel() { return kernel; }
    public ThreadGroup threadGroup() { return threadGroup; }
    public int tid() { return tid; }
    public int pid() { return threadGroup.pid(); }
    public Registers regs() { return regs; }
    public FpState fpState() { return fpState; }
    public SyscallArguments args() { return args; }
    public SignalActions signalActions() { return signalActions; }

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

    /** How this task blocks in the sentry; see {@link Waiter}. */
    public Waiter waiter() { return waiter; }

    /**
     * Whether a blocking syscall of this task must stop waiting: its process is exiting (or, once signal
     * delivery exists, an unblocked signal is pending). Any thread.
     */
    public boolean interrupted() {
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

    // ---- signal sending hook (ipc branch) ----
    // Pipes (SIGPIPE) and timers (SIGALRM...) send signals through this one method. Until signal delivery exists
    // it applies the disposition: ignored (SIG_IGN, or a default of ignore) drops the signal, a handler cannot run
    // yet so the signal is dropped with a log line, and the default action ends the process. The signal-delivery
    // work replaces the body with a real send (queue, interrupt). Any thread.
    public void sendSignal(int sig) {
        long[] act = new long[4];
        signalActions.get(sig, act);
        if (act[0] == Signals.SIG_IGN || ((signalMask >>> (sig - 1)) & 1) != 0) {
            return;
        }
        if (act[0] != Signals.SIG_DFL) {
            Log.warn("task " + tid + ": " + Signals.name(sig) + " has a handler, which cannot run yet; dropped");
            return;
        }
        switch (sig) {
            case Signals.SIGCHLD, Signals.SIGURG, Signals.SIGWINCH, Signals.SIGCONT -> { }
            default -> {
                threadGroup.beginExit(sig);
                kernel.interruptAll();
            }
        }
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

    /**
     * The task loop: run user code until an event, handle it, repeat, until the task or its group exits.
     * Returns when the task is gone; the group's exit status is then final if this was its last task.
     */
    public void run() {
        waiter.bind(Thread.currentThread());
        CURRENT.set(this);
        kernel.register(this);
        try {
            while (!exited && !threadGroup.exiting()) {
                Event e = context.switchToUser(mm.addressSpace(), regs);
                switch (e) {
                    case SYSCALL -> syscall();
                    case SYSCALL_I386 -> regs.rax(Errno.ENOSYS.ret());
                    case FAULT -> fault(context.fault());
                    case INTERRUPT -> { }
                    case DIED -> threadGroup.beginExit(Signals.SIGKILL);
                }
            }
        } catch (RuntimeException | Error err) {
            Log.warn("task " + tid + " (" + comm + ") failed in the sentry; killing it", err);
            threadGroup.beginExit(Signals.SIGKILL);
        } finally {
            kernel.unregister(this);
            release();
            if (threadGroup.exiting()) {
                ProcessTimers.onExit(threadGroup);
            }
            threadGroup.finishExit();
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

    /** A synchronous fault. Until signal delivery exists, the default action applies: die by the signal. */
    private void fault(FaultInfo f) {
        Log.debug("task " + tid + ": " + Signals.name(f.signo) + " code " + f.code + " at 0x"
                + Long.toHexString(f.addr) + ", rip 0x" + Long.toHexString(regs.rip()));
        threadGroup.beginExit(f.signo);
    }

    private void release() {
        waiter.release();
        if (mm != null) {
            mm.releaseAll();
            mm.addressSpace().release();
        }
        if (context != null) {
            context.release();
        }
    }
}
