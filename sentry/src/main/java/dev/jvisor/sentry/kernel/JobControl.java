package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;

/**
 * Telling a parent that its child stopped or continued: the state wait4/waitid report with WUNTRACED/WSTOPPED
 * and WCONTINUED, and SIGCHLD with CLD_STOPPED or CLD_CONTINUED unless the parent set SA_NOCLDSTOP. Called with
 * no lock held: the report takes the tree lock, the SIGCHLD the parent's signal lock.
 */
final class JobControl {
    private JobControl() {}

    /** The process {@code tg} stopped on {@code sig}: every one of its threads has (see SignalDelivery). */
    static void stopped(Kernel k, ThreadGroup tg, int sig, int uid) {
        report(k, tg, 0x7f | sig << 8, SigInfo.CLD_STOPPED, sig, uid);
    }

    /** The process {@code tg} was continued by SIGCONT. */
    static void continued(Kernel k, ThreadGroup tg) {
        Task any = tg.anyTask();
        report(k, tg, 0xffff, SigInfo.CLD_CONTINUED, Signals.SIGCONT, any == null ? 0 : any.creds().uid);
    }

    private static void report(Kernel k, ThreadGroup tg, int status, int code, int sig, int uid) {
        ThreadGroup parent;
        synchronized (tg.namespace()) {
            if (tg.zombie() || tg.reaped()) {
                return;
            }
            tg.stateReport(status, uid);
            parent = tg.parent();
            if (parent == null) {
                return;
            }
        }
        parent.childEvents().notify(WaitQueue.ALL);
        SignalActions a = parent.signalActions();
        if (a != null) {
            long[] act = new long[4];
            a.get(Signals.SIGCHLD, act);
            if ((act[1] & Signals.SA_NOCLDSTOP) != 0) {
                return;
            }
        }
        SignalDelivery.sendToProcess(k, parent, SignalInfo.child(code, tg.pid(), uid, sig));
    }
}
