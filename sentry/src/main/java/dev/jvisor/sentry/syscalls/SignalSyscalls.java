package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.Task;
import java.lang.foreign.MemorySegment;

/** Signal disposition and mask syscalls. Delivery arrives with the multi-process kernel. */
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

    private static long unblockable() {
        return (1L << (Signals.SIGKILL - 1)) | (1L << (Signals.SIGSTOP - 1));
    }
}
