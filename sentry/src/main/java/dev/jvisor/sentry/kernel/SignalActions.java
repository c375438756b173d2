package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Signals;

/**
 * The sigaction table of a process: handler, flags, restorer and mask for each signal, as rt_sigaction(2) sets
 * them. Guarded by this (shared by threads once CLONE_SIGHAND exists).
 */
public final class SignalActions {
    private final long[] handler = new long[Signals.NSIG + 1];
    private final long[] flags = new long[Signals.NSIG + 1];
    private final long[] restorer = new long[Signals.NSIG + 1];
    private final long[] mask = new long[Signals.NSIG + 1];

    /** Copies the action of {@code sig} into {@code out} (handler, flags, restorer, mask). */
    public synchronized void get(int sig, long[] out) {
        out[0] = handler[sig];
        out[1] = flags[sig];
        out[2] = restorer[sig];
        out[3] = mask[sig];
    }

    public synchronized void set(int sig, long h, long f, long r, long m) {
        handler[sig] = h;
        flags[sig] = f;
        restorer[sig] = r;
        mask[sig] = m;
    }

    /** execve: handled signals go back to default; ignored ones stay ignored. */
    public synchronized void resetForExec() {
        for (int s = 1; s <= Signals.NSIG; s++) {
            if (handler[s] != Signals.SIG_IGN) {
                handler[s] = Signals.SIG_DFL;
            }
            flags[s] = 0;
            restorer[s] = 0;
            mask[s] = 0;
        }
    }

    /** A copy (fork without CLONE_SIGHAND, or execve unsharing the table). */
    public synchronized SignalActions copy() {
        SignalActions c = new SignalActions();
        System.arraycopy(handler, 0, c.handler, 0, handler.length);
        System.arraycopy(flags, 0, c.flags, 0, flags.length);
        System.arraycopy(restorer, 0, c.restorer, 0, restorer.length);
        System.arraycopy(mask, 0, c.mask, 0, mask.length);
        return c;
    }
}
