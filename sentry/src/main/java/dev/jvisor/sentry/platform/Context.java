package dev.jvisor.sentry.platform;

import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.arch.Registers;

/**
 * Per-thread execution state. Owned by one task thread: every method but {@link #interrupt()} must be called
 * from it.
 */
public interface Context {
    /**
     * Runs user code in {@code as} from {@code regs} until the next event, and stores the registers at that point
     * back into {@code regs}. For {@link Event#SYSCALL} the syscall number is in {@code origRax} and RIP points
     * after the syscall instruction. For {@link Event#FAULT}, {@link #fault()} describes it.
     */
    Event switchToUser(AddressSpace as, Registers regs);

    /** Details of the last {@link Event#FAULT}; reused, valid until the next switch. */
    FaultInfo fault();

    /** Loads {@code fp} into the thread's FP/vector registers before the next switch. */
    void setFpState(FpState fp);

    /** Reads the thread's current FP/vector registers into {@code fp}. */
    void getFpState(FpState fp);

    /** Makes a concurrent or the next {@link #switchToUser} return {@link Event#INTERRUPT} soon. Any thread. */
    void interrupt();

    /** Releases the context's host resources. */
    void release();
}
