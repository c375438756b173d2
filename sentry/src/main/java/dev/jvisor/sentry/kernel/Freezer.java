package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Signals;
import java.util.concurrent.locks.LockSupport;

/**
 * The sandbox-wide freezer ({@code jrunsc pause}/{@code resume}), like the cgroup freezer: while frozen, no task
 * runs user code. Running tasks are kicked out of user mode and park at the top of their task loop; tasks blocked
 * in a syscall stay blocked (their wait goes on, timers keep running) and park when the syscall returns. A fatal
 * signal still gets through: SIGKILL (the process is exiting) or a pending signal whose action is to terminate,
 * since Linux lets a frozen task die. Other signals stay pending until the thaw.
 */
public final class Freezer {
    private final Kernel kernel;
    private volatile boolean frozen;

    Freezer(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Whether the sandbox is frozen. Read by every task loop iteration: one volatile read. */
    public boolean frozen() {
        return frozen;
    }

    /** Freezes every task, present and future; returns at once (a task in user mode leaves it within a switch). */
    public void freeze() {
        frozen = true;
        kernel.interruptAll();
    }

    /** Lets every frozen task run again. */
    public void thaw() {
        frozen = false;
        kernel.interruptAll(); // unparks them (their Waiter's thread)
    }

    /**
     * Parks the calling task's thread while the sandbox is frozen, before it returns to user mode; returns early
     * when the task must die. Task thread only.
     */
    void park(Task t) {
        while (frozen && !t.exiting() && !fatalPending(t)) {
            LockSupport.park(this);
        }
    }

    /** Whether a deliverable signal would end the task's process (default action TERM or CORE). */
    private static boolean fatalPending(Task t) {
        long bits = SignalDelivery.pending(t) & ~t.signalMask();
        if (bits == 0) {
            return false;
        }
        long[] act = new long[4]; // the slow path of a frozen task that got a signal
        for (int sig = 1; sig <= Signals.NSIG; sig++) {
            if ((bits & (1L << (sig - 1))) == 0) {
                continue;
            }
            t.signalActions().get(sig, act);
            SignalDelivery.Default d = SignalDelivery.defaultAction(sig);
            if (act[0] == Signals.SIG_DFL && (d == SignalDelivery.Default.TERM || d == SignalDelivery.Default.CORE)) {
                return true;
            }
        }
        return false;
    }
}
