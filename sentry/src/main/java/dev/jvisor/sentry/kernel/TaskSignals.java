package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.SigFrame;

/**
 * A task's own signal state besides its mask (kept in {@link Task}): signals sent to the task alone, the
 * alternate signal stack, the mask to restore after rt_sigsuspend, and the restart_syscall(2) continuation.
 * The queue is guarded by the process's {@link ProcessSignals} lock; the rest is owned by the task thread.
 */
public final class TaskSignals {
    /** What restart_syscall(2) runs: an interrupted sleep's remainder. */
    @FunctionalInterface
    public interface RestartBlock {
        long restart(Task t);
    }

    final SignalQueue pending = new SignalQueue();
    /** The action being delivered (handler, flags, restorer, mask); reused so delivery allocates nothing. */
    final long[] action = new long[4];

    private long altSp;
    private long altSize;
    private int altFlags = SigFrame.SS_DISABLE;

    private long savedMask;
    private boolean restoreMask;
    private RestartBlock restart;

    /** The alternate signal stack's base (sigaltstack's ss_sp), size, and flags as last set (Linux keeps them as given). */
    public long altSp() { return altSp; }
    public long altSize() { return altSize; }
    public int altFlags() { return altFlags; }

    public void altStack(long sp, long size, int flags) {
        this.altSp = sp;
        this.altSize = size;
        this.altFlags = flags;
    }

    /**
     * A new task's state from its creator's (clone): nothing pending; the alternate stack is inherited, except
     * by a thread that shares the address space without CLONE_VFORK, which starts without one, as on Linux.
     */
    public void inheritFrom(TaskSignals parent, boolean newThreadInSameMm) {
        if (!newThreadInSameMm) {
            altStack(parent.altSp, parent.altSize, parent.altFlags);
        }
    }

    /** execve: the alternate stack, a saved mask and a restart continuation do not survive. */
    public void resetForExec() {
        altStack(0, 0, SigFrame.SS_DISABLE);
        restoreMask = false;
        restart = null;
    }

    /** Whether {@code sp} is on the alternate stack (never, with SS_AUTODISARM: the stack is then free). */
    public boolean onAltStack(long sp) {
        if ((altFlags & SigFrame.SS_AUTODISARM) != 0) {
            return false;
        }
        return inAltStack(sp);
    }

    /** Whether {@code sp} lies in the alternate stack, whatever its flags. */
    boolean inAltStack(long sp) {
        return sp > altSp && sp - altSp <= altSize;
    }

    /** Linux's sas_ss_flags: SS_DISABLE without an alternate stack, SS_ONSTACK when {@code sp} is on it, else 0. */
    public int sasSsFlags(long sp) {
        if (altSize == 0) {
            return SigFrame.SS_DISABLE;
        }
        return onAltStack(sp) ? SigFrame.SS_ONSTACK : 0;
    }

    /** sigaltstack's old ss_flags for a task at {@code sp}: {@link #sasSsFlags} plus SS_AUTODISARM if set. */
    public int altStackFlags(long sp) {
        return sasSsFlags(sp) | (altFlags & SigFrame.SS_AUTODISARM);
    }

    /** Makes the next delivery (or the syscall's return) restore {@code mask}: rt_sigsuspend's temporary mask. */
    public void saveMask(long mask) {
        this.savedMask = mask;
        this.restoreMask = true;
    }

    boolean restoreMaskPending() { return restoreMask; }
    long savedMask() { return savedMask; }
    void clearSavedMask() { restoreMask = false; }

    /** Sets what restart_syscall(2) does (null: it fails with EINTR). */
    public void restartBlock(RestartBlock r) {
        this.restart = r;
    }

    public RestartBlock restartBlock() {
        return restart;
    }
}
