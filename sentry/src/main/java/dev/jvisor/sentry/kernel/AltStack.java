package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.SigFrame;

/** The setting half of sigaltstack(2), shared by the syscall and rt_sigreturn's restore of uc_stack. */
public final class AltStack {
    private AltStack() {}

    /**
     * Sets {@code t}'s alternate stack as Linux's do_sigaltstack does for a task at stack pointer {@code sp}:
     * EPERM while running on the current one, EINVAL for an unknown mode, ENOMEM below MINSIGSTKSZ. SS_DISABLE
     * clears base and size. Returns 0 or {@code -errno}.
     */
    public static int set(Task t, long ssSp, int ssFlags, long ssSize, long sp) {
        TaskSignals ts = t.signals();
        if (ts.onAltStack(sp)) {
            return (int) Errno.EPERM.ret();
        }
        int mode = ssFlags & ~SigFrame.SS_AUTODISARM;
        if (mode != SigFrame.SS_DISABLE && mode != SigFrame.SS_ONSTACK && mode != 0) {
            return (int) Errno.EINVAL.ret();
        }
        if (mode == SigFrame.SS_DISABLE) {
            ssSp = 0;
            ssSize = 0;
        } else if (Long.compareUnsigned(ssSize, SigFrame.MINSIGSTKSZ) < 0) {
            return (int) Errno.ENOMEM.ret();
        }
        ts.altStack(ssSp, ssSize, ssFlags);
        return 0;
    }
}
