package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.SigFrame;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.FaultInfo;
import java.util.concurrent.locks.LockSupport;

/**
 * Generating and delivering signals, as Linux's kernel/signal.c does it: sending queues a signal on a task or
 * its process and wakes a task that can take it; before each return to user mode the task takes its pending
 * unblocked signals one by one and either runs a handler (an {@link SignalFrame} on its stack), ignores the
 * signal, stops, or ends the process. Syscalls interrupted by a signal are restarted or fail with EINTR here.
 */
public final class SignalDelivery {
    private SignalDelivery() {}

    /** What a signal does when its handler is SIG_DFL. */
    public enum Default { TERM, CORE, STOP, CONTINUE, IGNORE }

    private static final long STOP_SIGNALS = SignalQueue.bit(Signals.SIGSTOP) | SignalQueue.bit(Signals.SIGTSTP)
            | SignalQueue.bit(Signals.SIGTTIN) | SignalQueue.bit(Signals.SIGTTOU);
    private static final long UNBLOCKABLE = SignalQueue.bit(Signals.SIGKILL) | SignalQueue.bit(Signals.SIGSTOP);
    private static final long EFLAGS_TF = 0x100, EFLAGS_DF = 0x400, EFLAGS_RF = 0x10000;

    /** The default action of {@code sig} (signal(7)). */
    public static Default defaultAction(int sig) {
        return switch (sig) {
            case Signals.SIGCHLD, Signals.SIGURG, Signals.SIGWINCH -> Default.IGNORE;
            case Signals.SIGCONT -> Default.CONTINUE;
            case Signals.SIGSTOP, Signals.SIGTSTP, Signals.SIGTTIN, Signals.SIGTTOU -> Default.STOP;
            case Signals.SIGQUIT, Signals.SIGILL, Signals.SIGTRAP, Signals.SIGABRT, Signals.SIGBUS, Signals.SIGFPE,
                 Signals.SIGSEGV, Signals.SIGXCPU, Signals.SIGXFSZ, Signals.SIGSYS -> Default.CORE;
            default -> Default.TERM;
        };
    }

    // ---- generation ----

    /** Sends {@code info} to task {@code t} alone (tkill, tgkill, rt_tgsigqueueinfo). Returns 0 or -EAGAIN. */
    public static int sendToTask(Task t, SignalInfo info) {
        return send(t.kernel(), t.threadGroup(), t, info, false);
    }

    /**
     * Sends {@code sig} to the calling task {@code t} as the kernel does for a condition of its own syscall
     * (Linux's send_sig: SIGPIPE from a write to a broken pipe, SIGXFSZ): si_code SI_USER, the task's pid and
     * uid.
     */
    public static int sendToSelf(Task t, int sig) {
        return sendToTask(t, SignalInfo.fromProcess(sig, SigInfo.SI_USER, t.pid(), t.creds().uid));
    }

    /**
     * Sends {@code info} to process {@code tg} (kill, rt_sigqueueinfo, a signal from outside the sandbox): any of
     * its tasks that does not block the signal takes it. Returns 0 or -EAGAIN (a real-time signal over
     * RLIMIT_SIGPENDING).
     */
    public static int sendToProcess(Kernel k, ThreadGroup tg, SignalInfo info) {
        return send(k, tg, null, info, true);
    }

    private static int send(Kernel k, ThreadGroup tg, Task target, SignalInfo info, boolean group) {
        int sig = info.signo();
        ProcessSignals ps = tg.signals();
        java.util.List<Task> tasks = k.tasksOf(tg);
        Task wake = null;
        try {
        synchronized (ps) {
            if (tg.exiting()) {
                return 0;
            }
            if (sig == Signals.SIGKILL) {
                // Cannot be caught, blocked or ignored: the whole process ends now, stopped or not.
                tg.beginExit(Signals.SIGKILL);
                ps.resume();
                wake = null;
            } else {
                boolean resumed = prepare(ps, tasks, sig);
                Task first = target != null ? target : tasks.isEmpty() ? null : tasks.getFirst();
                if (first != null && ignored(first, sig)) {
                    if (resumed) {
                        interruptAll(tasks, null);
                    }
                    return 0;
                }
                SignalQueue q = group ? ps.shared : target.signals().pending;
                if (sig >= Signals.SIGRTMIN && info.code() != SigInfo.SI_USER
                        && ps.queuedCount >= tg.rlimits().soft(Rlimits.SIGPENDING)) {
                    return (int) Errno.EAGAIN.ret();
                }
                if (!q.enqueue(info)) {
                    return 0; // a standard signal already pending: merged
                }
                ps.queuedCount++;
                if (resumed) {
                    interruptAll(tasks, null);
                }
                wake = resumed ? null : group ? chooseTask(first, tasks, sig) : target;
                if (wake == null) {
                    ps.queuedEvents().notify(WaitQueue.EVENT_IN);
                    return 0;
                }
            }
        }
        } finally {
            if (sig == Signals.SIGCONT && ps.takeContinued()) {
                JobControl.continued(k, tg); // outside the signal lock
            }
        }
        if (wake == null) {
            interruptAll(tasks, null); // SIGKILL
        } else {
            ps.queuedEvents().notify(WaitQueue.EVENT_IN);
            kick(wake);
        }
        return 0;
    }

    /**
     * Linux's prepare_signal: a stop signal discards pending SIGCONT, and SIGCONT discards pending stop signals
     * and ends a stop (even when SIGCONT itself is then ignored). Returns whether a stop ended.
     */
    private static boolean prepare(ProcessSignals ps, java.util.List<Task> tasks, int sig) {
        long discard = (STOP_SIGNALS & SignalQueue.bit(sig)) != 0 ? SignalQueue.bit(Signals.SIGCONT)
                : sig == Signals.SIGCONT ? STOP_SIGNALS : 0;
        if (discard != 0) {
            ps.queuedCount -= ps.shared.discard(discard);
            for (Task t : tasks) {
                ps.queuedCount -= t.signals().pending.discard(discard);
            }
        }
        if (sig == Signals.SIGCONT) {
            // Only a stop the parent was told of is reported as continued. (Linux, for a stop some threads had
            // not joined yet, sends a CLD_STOPPED SIGCHLD instead; the sandbox sends nothing.)
            boolean complete = ps.stopComplete();
            if (ps.resume()) {
                if (complete) {
                    ps.continued();
                }
                return true;
            }
        }
        return false;
    }

    /** Whether a signal sent to {@code t} is dropped at once: ignored (explicitly or by default) and not blocked. */
    private static boolean ignored(Task t, int sig) {
        if ((t.signalMask() & SignalQueue.bit(sig)) != 0) {
            return false;
        }
        long[] act = new long[4];
        t.signalActions().get(sig, act);
        if (act[0] == Signals.SIG_IGN) {
            return true;
        }
        Default d = defaultAction(sig);
        return act[0] == Signals.SIG_DFL && (d == Default.IGNORE || d == Default.CONTINUE);
    }

    /** The task of a process that takes a process-wide signal: the first that does not block it. */
    private static Task chooseTask(Task first, java.util.List<Task> tasks, int sig) {
        long b = SignalQueue.bit(sig);
        if (first != null && (first.signalMask() & b) == 0) {
            return first;
        }
        for (Task t : tasks) {
            if ((t.signalMask() & b) == 0) {
                return t;
            }
        }
        return null;
    }

    /** Makes {@code t} look at its signals: out of a wait, out of user mode. A task never kicks itself. */
    private static void kick(Task t) {
        if (t.waiter().onOwnThread()) {
            return;
        }
        t.interrupt();
    }

    private static void interruptAll(java.util.List<Task> tasks, Task except) {
        for (Task t : tasks) {
            if (t != except) {
                kick(t);
            }
        }
    }

    /**
     * A synchronous fault of {@code t}: the signal goes to the task, and if it is blocked or ignored Linux's
     * force_sig applies: the handler is reset to SIG_DFL and the signal unblocked, so the process dies.
     */
    public static void fault(Task t, FaultInfo f) {
        SignalInfo info = SignalInfo.fault(f.signo, f.code, f.code == SigInfo.SI_KERNEL ? 0 : f.addr);
        switch (f.signo) {
            case Signals.SIGSEGV -> {
                if (f.code == SigInfo.SI_KERNEL) {
                    info.trap(SigFrame.TRAP_GP, 0, 0);
                } else {
                    info.trap(SigFrame.TRAP_PF, f.errorCode >= 0 ? f.errorCode : pageFaultError(t, f), f.addr);
                }
            }
            case Signals.SIGBUS -> info.trap(f.code == SigInfo.BUS_ADRALN ? 17 : SigFrame.TRAP_PF, 4, f.addr);
            case Signals.SIGFPE -> info.trap(f.code == SigInfo.FPE_INTDIV || f.code == SigInfo.FPE_INTOVF
                    ? SigFrame.TRAP_DE : 19, 0, 0);
            case Signals.SIGILL -> info.trap(SigFrame.TRAP_UD, 0, 0);
            case Signals.SIGTRAP -> info.trap(f.code == SigInfo.TRAP_TRACE ? SigFrame.TRAP_DB : SigFrame.TRAP_BP,
                    0, 0);
            default -> { }
        }
        force(t, info);
    }

    /**
     * The page-fault error code when the platform does not know it: user mode (4), plus present (1) for an
     * access violation, and write (2) when the page is readable but not writable (a read would have worked).
     */
    private static long pageFaultError(Task t, FaultInfo f) {
        if (f.code != SigInfo.SEGV_ACCERR) {
            return 4;
        }
        var v = t.mm().findVma(f.addr);
        boolean write = v != null && v.readable() && !v.writable();
        return v != null && v.readable() ? (write ? 7 : 5) : 4;
    }

    /** Linux's force_sig: queues {@code info} on {@code t}; a blocked or ignored signal gets its default action. */
    public static void force(Task t, SignalInfo info) {
        int sig = info.signo();
        ProcessSignals ps = t.threadGroup().signals();
        synchronized (ps) {
            long[] act = new long[4];
            t.signalActions().get(sig, act);
            boolean blocked = (t.signalMask() & SignalQueue.bit(sig)) != 0;
            if (blocked || act[0] == Signals.SIG_IGN) {
                t.signalActions().set(sig, Signals.SIG_DFL, act[1], act[2], act[3]);
                if (blocked) {
                    t.signalMask(t.signalMask() & ~SignalQueue.bit(sig));
                }
            }
            if (t.signals().pending.enqueue(info)) {
                ps.queuedCount++;
            }
        }
    }

    /** Linux's force_sigsegv: a frame could not be built; a SIGSEGV handler that failed is reset first. */
    static void forceSigsegv(Task t, int sig) {
        if (sig == Signals.SIGSEGV) {
            long[] act = new long[4];
            t.signalActions().get(sig, act);
            t.signalActions().set(sig, Signals.SIG_DFL, act[1], act[2], act[3]);
        }
        force(t, SignalInfo.fault(Signals.SIGSEGV, SigInfo.SI_KERNEL, 0));
    }

    // ---- queries for syscalls ----

    /** Whether {@code t} has a pending signal it does not block, or its process is stopping. Any thread. */
    public static boolean hasDeliverable(Task t) {
        ProcessSignals ps = t.threadGroup().signals();
        return ((t.signals().pending.bits() | ps.shared.bits()) & ~t.signalMask()) != 0 || ps.stopped();
    }

    /** The signals pending for {@code t} (its own and its process's). */
    public static long pending(Task t) {
        return t.signals().pending.bits() | t.threadGroup().signals().shared.bits();
    }

    /** Takes the first pending signal of {@code t} in {@code set}, blocked or not (rt_sigtimedwait); or null. */
    public static SignalInfo dequeue(Task t, long set) {
        ProcessSignals ps = t.threadGroup().signals();
        synchronized (ps) {
            return take(t, ps, set);
        }
    }

    private static SignalInfo take(Task t, ProcessSignals ps, long allowed) {
        SignalQueue q = t.signals().pending;
        int sig = q.next(allowed);
        if (sig == 0) {
            q = ps.shared;
            sig = q.next(allowed);
        }
        if (sig == 0) {
            return null;
        }
        SignalInfo i = q.dequeue(sig);
        ps.queuedCount--;
        return i;
    }

    /** Implements rt_sigreturn(2); see {@link SignalFrame#sigreturn}. */
    public static long sigreturn(Task t) {
        return SignalFrame.sigreturn(t);
    }

    // ---- delivery ----

    /**
     * Runs before every return to user mode: handles the process's job-control stop, then takes each pending
     * unblocked signal and acts on it. Handlers get frames stacked on one another, so the last signal taken runs
     * first, as on Linux. {@code afterSyscall}: the registers hold a syscall's result, which may ask for a
     * restart (ERESTART*).
     */
    public static void beforeUserMode(Task t, boolean afterSyscall) {
        Registers r = t.regs();
        boolean restart = afterSyscall && isRestart(r.rax());
        ProcessSignals ps = t.threadGroup().signals();
        TaskSignals ts = t.signals();
        if (!restart && !ts.restoreMaskPending() && !hasDeliverable(t)) {
            return; // the common case, on every syscall: nothing to do, no lock taken
        }
        long[] act = ts.action;
        for (;;) {
            if (t.threadGroup().exiting() || t.exiting()) {
                return;
            }
            if (ps.stopped()) {
                waitWhileStopped(t, ps);
                continue;
            }
            SignalInfo info;
            int sig;
            int stoppedBy = 0;
            synchronized (ps) {
                info = take(t, ps, ~t.signalMask());
                if (info == null) {
                    break;
                }
                sig = info.signo();
                t.signalActions().get(sig, act);
                if (act[0] == Signals.SIG_IGN) {
                    continue;
                }
                if (act[0] == Signals.SIG_DFL) {
                    switch (defaultAction(sig)) {
                        case IGNORE, CONTINUE -> { }
                        case STOP -> {
                            if (sig != Signals.SIGSTOP && ProcessGroups.isOrphaned(t.threadGroup())) {
                                continue; // Linux discards these in an orphaned group (get_signal)
                            }
                            // Every task must join the stop (waitWhileStopped) before the parent hears of it.
                            ps.stop(sig, t.threadGroup().taskCount());
                            interruptAll(t.kernel().tasksOf(t.threadGroup()), t);
                            stoppedBy = sig;
                        }
                        case TERM, CORE -> {
                            // No core file is written, so the wait status has no core bit (0x80): what Linux
                            // reports with RLIMIT_CORE at 0, the default.
                            t.threadGroup().beginExit(sig);
                            interruptAll(t.kernel().tasksOf(t.threadGroup()), t);
                            return;
                        }
                    }
                    if (stoppedBy == 0) {
                        continue;
                    }
                }
                if (stoppedBy == 0 && (act[1] & Signals.SA_RESETHAND) != 0) {
                    t.signalActions().set(sig, Signals.SIG_DFL, act[1], act[2], act[3]);
                }
            }
            if (stoppedBy != 0) {
                continue; // to waitWhileStopped, which joins the stop
            }
            if (restart) {
                restartForHandler(r, act[1], t.args().nr);
                restart = false;
            }
            if (!SignalFrame.setup(t, info, act)) {
                forceSigsegv(t, sig);
            }
        }
        if (restart) {
            restartNoHandler(r, t.args().nr);
        }
        if (ts.restoreMaskPending()) {
            t.signalMask(ts.savedMask());
            ts.clearSavedMask();
        }
    }

    private static void waitWhileStopped(Task t, ProcessSignals ps) {
        participateInStop(t);
        while (ps.stopped() && !t.threadGroup().exiting() && !t.exiting()) {
            LockSupport.park(ps);
        }
    }

    /**
     * Task {@code t} joins its process's group stop, if one is under way (it stops, or exits); the last task to
     * join tells the parent (wait4 WUNTRACED, SIGCHLD CLD_STOPPED), as Linux does once every thread has stopped.
     */
    static void participateInStop(Task t) {
        ProcessSignals ps = t.threadGroup().signals();
        if (!ps.stopped()) {
            return;
        }
        int sig;
        synchronized (ps) {
            if (!ps.participate(t)) {
                return;
            }
            sig = ps.stopSignal();
        }
        if (!t.threadGroup().exiting()) {
            JobControl.stopped(t.kernel(), t.threadGroup(), sig, t.creds().uid); // outside the lock
        }
    }

    private static boolean isRestart(long rax) {
        return rax == Errno.ERESTARTSYS.ret() || rax == Errno.ERESTARTNOINTR.ret()
                || rax == Errno.ERESTARTNOHAND.ret() || rax == Errno.ERESTART_RESTARTBLOCK.ret();
    }

    /** A handler is about to run: ERESTARTSYS restarts only with SA_RESTART, ERESTARTNOINTR always. */
    private static void restartForHandler(Registers r, long flags, long nr) {
        long rax = r.rax();
        if (rax == Errno.ERESTARTNOINTR.ret()
                || (rax == Errno.ERESTARTSYS.ret() && (flags & Signals.SA_RESTART) != 0)) {
            r.rax(nr);
            r.rip(r.rip() - 2);
        } else {
            r.rax(Errno.EINTR.ret());
        }
    }

    /** No handler ran: every restart code restarts; ERESTART_RESTARTBLOCK through restart_syscall(2). */
    private static void restartNoHandler(Registers r, long nr) {
        r.rax(r.rax() == Errno.ERESTART_RESTARTBLOCK.ret() ? Sysno.RESTART_SYSCALL : nr);
        r.rip(r.rip() - 2);
    }

    /** The handler's mask: the current one plus sa_mask, plus the signal itself unless SA_NODEFER. */
    static void blockForHandler(Task t, int sig, long[] act) {
        long m = t.signalMask() | act[3];
        if ((act[1] & Signals.SA_NODEFER) == 0) {
            m |= SignalQueue.bit(sig);
        }
        t.signalMask(m & ~UNBLOCKABLE);
    }

    /** Clears the flags Linux clears on entry to a handler. */
    static void handlerFlags(Registers r) {
        r.eflags(r.eflags() & ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF));
    }
}
