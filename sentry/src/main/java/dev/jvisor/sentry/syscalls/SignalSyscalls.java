package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.SigFrame;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Time;
import dev.jvisor.sentry.kernel.AltStack;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SignalDelivery;
import dev.jvisor.sentry.kernel.SignalInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.TaskSignals;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.kernel.Waiter;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** Signal dispositions, masks, sending, waiting and returning from handlers. Delivery is SignalDelivery's. */
final class SignalSyscalls {
    private SignalSyscalls() {}

    /** sizeof(kernel_sigset_t) on x86-64: the only sigsetsize the kernel accepts. */
    private static final long SIGSET_SIZE = 8;

    /** sizeof(struct kernel_sigaction): handler, flags, restorer, mask. */
    private static final long SIGACTION_SIZE = 32;

    /** The sa_flags bits Linux keeps (UAPI_SA_FLAGS on x86-64); it silently clears every other bit. */
    private static final long KNOWN_FLAGS = Signals.SA_NOCLDSTOP | Signals.SA_NOCLDWAIT | Signals.SA_SIGINFO
            | Signals.SA_ONSTACK | Signals.SA_RESTART | Signals.SA_NODEFER | Signals.SA_RESETHAND | Signals.SA_RESTORER;

    /** Implements rt_sigaction(2). */
    static long rtSigaction(Task t, SyscallArguments a) {
        int sig = a.i(0);
        if (a.a3 != SIGSET_SIZE || sig < 1 || sig > Signals.NSIG) {
            return Errno.EINVAL.ret();
        }
        if (a.a1 != 0 && (sig == Signals.SIGKILL || sig == Signals.SIGSTOP)) {
            return Errno.EINVAL.ret();
        }
        // Linux installs the new action before it copies the old one out, so a bad oldact pointer fails with
        // EFAULT after the change has taken effect.
        MemorySegment s = t.scratch();
        long[] old = new long[4];
        t.signalActions().get(sig, old);
        if (a.a1 != 0) {
            t.mm().copyIn(a.a1, s, SIGACTION_SIZE);
            t.signalActions().set(sig, s.get(JAVA_LONG, 0), s.get(JAVA_LONG, 8) & KNOWN_FLAGS, s.get(JAVA_LONG, 16),
                    s.get(JAVA_LONG, 24) & ~unblockable());
        }
        if (a.a2 != 0) {
            MemorySegment o = s.asSlice(64, SIGACTION_SIZE);
            for (int i = 0; i < 4; i++) {
                o.set(JAVA_LONG, 8L * i, old[i]);
            }
            t.mm().copyOut(a.a2, o, SIGACTION_SIZE);
        }
        return 0;
    }

    /** Implements rt_sigprocmask(2). */
    static long rtSigprocmask(Task t, SyscallArguments a) {
        if (a.a3 != SIGSET_SIZE) {
            return Errno.EINVAL.ret();
        }
        long old = t.signalMask();
        if (a.a1 != 0) {
            long set = t.mm().readLong(a.a1);
            switch (a.i(0)) {
                case Signals.SIG_BLOCK -> t.signalMask(old | set);
                case Signals.SIG_UNBLOCK -> t.signalMask(old & ~set);
                case Signals.SIG_SETMASK -> t.signalMask(set);
                default -> {
                    return Errno.EINVAL.ret();
                }
            }
        }
        if (a.a2 != 0) {
            t.mm().writeLong(a.a2, old);
        }
        return 0;
    }

    /** Implements rt_sigpending(2): the pending signals that are blocked. */
    static long rtSigpending(Task t, SyscallArguments a) {
        if (Long.compareUnsigned(a.a1, SIGSET_SIZE) > 0) {
            return Errno.EINVAL.ret();
        }
        MemorySegment s = t.scratch();
        s.set(JAVA_LONG, 0, SignalDelivery.pending(t) & t.signalMask());
        t.mm().copyOut(a.a0, s, a.a1);
        return 0;
    }

    /** Implements rt_sigsuspend(2): waits with a temporary mask until a signal is delivered. */
    static long rtSigsuspend(Task t, SyscallArguments a) {
        if (a.a1 != SIGSET_SIZE) {
            return Errno.EINVAL.ret();
        }
        long mask = t.mm().readLong(a.a0);
        t.signals().saveMask(t.signalMask());
        t.signalMask(mask);
        waitForSignal(t);
        return Errno.ERESTARTNOHAND.ret();
    }

    /** Implements pause(2). */
    static long pause(Task t, SyscallArguments a) {
        waitForSignal(t);
        return Errno.ERESTARTNOHAND.ret();
    }

    private static void waitForSignal(Task t) {
        while (t.waiter().await(Waiter.FOREVER) == 0) {
            // a wake-up meant for something else: keep waiting
        }
    }

    /** Implements rt_sigtimedwait(2). */
    static long rtSigtimedwait(Task t, SyscallArguments a) {
        if (a.a3 != SIGSET_SIZE) {
            return Errno.EINVAL.ret();
        }
        long set = t.mm().readLong(a.a0) & ~unblockable();
        long timeout = -1;
        if (a.a2 != 0) {
            MemorySegment s = t.scratch();
            t.mm().copyIn(a.a2, s, Time.TIMESPEC_SIZE);
            long sec = s.get(JAVA_LONG, 0), nsec = s.get(JAVA_LONG, 8);
            if (sec < 0 || nsec < 0 || nsec >= Time.NANOS_PER_SECOND) {
                return Errno.EINVAL.ret();
            }
            timeout = sec >= Long.MAX_VALUE / Time.NANOS_PER_SECOND ? Long.MAX_VALUE / 2
                    : sec * Time.NANOS_PER_SECOND + nsec;
        }
        SignalInfo info = SignalDelivery.dequeue(t, set);
        int r = 0;
        if (info == null && timeout != 0) {
            // The awaited signals wake the task while it waits, blocked or not (Linux's real_blocked).
            long old = t.signalMask();
            t.signalMask(old & ~set);
            long deadline = timeout < 0 ? Waiter.FOREVER : System.nanoTime() + timeout;
            try {
                do {
                    r = t.waiter().await(deadline);
                } while (r == 0 && (SignalDelivery.pending(t) & set) == 0);
            } finally {
                t.signalMask(old);
            }
            info = SignalDelivery.dequeue(t, set);
        }
        if (info == null) {
            return r == Errno.ETIMEDOUT.ret() || timeout == 0 ? Errno.EAGAIN.ret() : Errno.EINTR.ret();
        }
        if (a.a1 != 0) {
            t.mm().copyOut(a.a1, info.segment(), SigInfo.SIZE);
        }
        return info.signo();
    }

    /** Implements kill(2). */
    static long kill(Task t, SyscallArguments a) {
        int pid = a.i(0);
        int sig = a.i(1);
        Kernel k = t.kernel();
        if (pid > 0) {
            ThreadGroup tg = k.findThreadGroup(pid);
            return tg == null ? Errno.ESRCH.ret() : killProcess(t, tg, sig);
        }
        if (pid == -1) {
            // Every process but init and the caller's own; ESRCH when there is none.
            int count = 0;
            long ret = 0;
            for (ThreadGroup tg : k.threadGroups()) {
                if (tg.pid() > 1 && tg != t.threadGroup()) {
                    count++;
                    long r = killProcess(t, tg, sig);
                    if (r != Errno.EPERM.ret()) {
                        ret = r;
                    }
                }
            }
            return count > 0 ? ret : Errno.ESRCH.ret();
        }
        if (pid == Integer.MIN_VALUE) {
            return Errno.ESRCH.ret();
        }
        List<ThreadGroup> group = k.processGroup(pid == 0 ? t.threadGroup().pgid() : -pid);
        long ret = Errno.ESRCH.ret();
        boolean success = false;
        for (ThreadGroup tg : group) {
            long r = killProcess(t, tg, sig);
            if (r == 0) {
                success = true;
            } else {
                ret = r;
            }
        }
        return success ? 0 : ret;
    }

    private static long killProcess(Task t, ThreadGroup tg, int sig) {
        List<Task> tasks = t.kernel().tasksOf(tg);
        if (tasks.isEmpty()) {
            return Errno.ESRCH.ret();
        }
        long r = checkSend(t, tasks.getFirst(), sig);
        if (r != 0 || sig == 0) {
            return r;
        }
        return SignalDelivery.sendToProcess(t.kernel(), tg,
                SignalInfo.fromProcess(sig, SigInfo.SI_USER, t.pid(), t.creds().uid));
    }

    /**
     * Linux's check_kill_permission: a valid signal number (EINVAL), and a sender that is privileged or shares
     * a real or saved user ID with the target (EPERM). SIGCONT is allowed within a session, which is every
     * process of the sandbox until sessions exist.
     */
    private static long checkSend(Task sender, Task target, int sig) {
        if (sig < 0 || sig > Signals.NSIG) {
            return Errno.EINVAL.ret();
        }
        if (sender.threadGroup() == target.threadGroup() || sig == Signals.SIGCONT) {
            return 0;
        }
        Credentials c = sender.creds(), tc = target.creds();
        if (c.privileged() || c.euid == tc.suid || c.euid == tc.uid || c.uid == tc.suid || c.uid == tc.uid) {
            return 0;
        }
        return Errno.EPERM.ret();
    }

    /** Implements tkill(2). */
    static long tkill(Task t, SyscallArguments a) {
        int tid = a.i(0);
        if (tid <= 0) {
            return Errno.EINVAL.ret();
        }
        return sendSpecific(t, 0, tid, a.i(1), null);
    }

    /** Implements tgkill(2). */
    static long tgkill(Task t, SyscallArguments a) {
        int tgid = a.i(0), tid = a.i(1);
        if (tgid <= 0 || tid <= 0) {
            return Errno.EINVAL.ret();
        }
        return sendSpecific(t, tgid, tid, a.i(2), null);
    }

    /** tkill, tgkill, rt_tgsigqueueinfo: to one thread ({@code tgid} 0: of any process). */
    private static long sendSpecific(Task t, int tgid, int tid, int sig, SignalInfo info) {
        Task target = t.kernel().findTask(tid);
        if (target == null || (tgid > 0 && target.pid() != tgid)) {
            return Errno.ESRCH.ret();
        }
        long r = checkSend(t, target, sig);
        if (r != 0 || sig == 0) {
            return r;
        }
        if (info == null) {
            info = SignalInfo.fromProcess(sig, SigInfo.SI_TKILL, t.pid(), t.creds().uid);
        }
        return SignalDelivery.sendToTask(target, info);
    }

    /** Implements rt_sigqueueinfo(2). */
    static long rtSigqueueinfo(Task t, SyscallArguments a) {
        int pid = a.i(0);
        int sig = a.i(1);
        SignalInfo info = userInfo(t, sig, a.a2);
        // Only the kernel and the process itself may claim to be kill() or tkill().
        if ((info.code() >= 0 || info.code() == SigInfo.SI_TKILL) && pid != t.tid()) {
            return Errno.EPERM.ret();
        }
        ThreadGroup tg = t.kernel().findThreadGroup(pid);
        if (tg == null) {
            return Errno.ESRCH.ret();
        }
        List<Task> tasks = t.kernel().tasksOf(tg);
        if (tasks.isEmpty()) {
            return Errno.ESRCH.ret();
        }
        long r = checkSend(t, tasks.getFirst(), sig);
        if (r != 0 || sig == 0) {
            return r;
        }
        return SignalDelivery.sendToProcess(t.kernel(), tg, info);
    }

    /** Implements rt_tgsigqueueinfo(2). */
    static long rtTgsigqueueinfo(Task t, SyscallArguments a) {
        int tgid = a.i(0), tid = a.i(1), sig = a.i(2);
        SignalInfo info = userInfo(t, sig, a.a3);
        if (tgid <= 0 || tid <= 0) {
            return Errno.EINVAL.ret();
        }
        if ((info.code() >= 0 || info.code() == SigInfo.SI_TKILL) && tid != t.tid()) {
            return Errno.EPERM.ret();
        }
        return sendSpecific(t, tgid, tid, sig, info);
    }

    private static SignalInfo userInfo(Task t, int sig, long addr) {
        MemorySegment s = t.scratch();
        t.mm().copyIn(addr, s, SigInfo.SIZE);
        return SignalInfo.fromUser(sig, s);
    }

    /** Implements sigaltstack(2). */
    static long sigaltstack(Task t, SyscallArguments a) {
        long sp = t.regs().rsp();
        TaskSignals ts = t.signals();
        long oSp = ts.altSp(), oSize = ts.altSize();
        int oFlags = ts.altStackFlags(sp);
        MemorySegment s = t.scratch();
        if (a.a0 != 0) {
            t.mm().copyIn(a.a0, s, SigFrame.STACK_T_SIZE);
            int r = AltStack.set(t, s.get(JAVA_LONG, SigFrame.SS_SP), s.get(JAVA_INT, SigFrame.SS_FLAGS),
                    s.get(JAVA_LONG, SigFrame.SS_SIZE), sp);
            if (r < 0) {
                return r;
            }
        }
        if (a.a1 != 0) {
            s.asSlice(0, SigFrame.STACK_T_SIZE).fill((byte) 0);
            s.set(JAVA_LONG, SigFrame.SS_SP, oSp);
            s.set(JAVA_INT, SigFrame.SS_FLAGS, oFlags);
            s.set(JAVA_LONG, SigFrame.SS_SIZE, oSize);
            t.mm().copyOut(a.a1, s, SigFrame.STACK_T_SIZE);
        }
        return 0;
    }

    /** Implements rt_sigreturn(2). */
    static long rtSigreturn(Task t, SyscallArguments a) {
        return SignalDelivery.sigreturn(t);
    }

    /** Implements restart_syscall(2): continues a sleep a signal interrupted; EINTR when there is none. */
    static long restartSyscall(Task t, SyscallArguments a) {
        TaskSignals.RestartBlock rb = t.signals().restartBlock();
        t.signals().restartBlock(null);
        return rb == null ? Errno.EINTR.ret() : rb.restart(t);
    }

    private static long unblockable() {
        return (1L << (Signals.SIGKILL - 1)) | (1L << (Signals.SIGSTOP - 1));
    }
}
