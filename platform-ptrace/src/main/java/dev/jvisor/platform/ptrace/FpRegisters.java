package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.sentry.arch.FpState;
import java.lang.foreign.MemorySegment;

/**
 * Moves a stub's FP/vector registers in and out: the whole XSAVE user area with PTRACE_GETREGSET/SETREGSET
 * NT_X86_XSTATE, or only the 512-byte FXSAVE area with GETFPREGS/SETFPREGS on a CPU without XSAVE.
 *
 * <p>SETREGSET of NT_X86_XSTATE takes only a buffer of exactly the CPU's XSAVE size, so callers pass that size,
 * with bytes beyond the state they hold zeroed (zero = init for every component not in XSTATE_BV).
 */
final class FpRegisters {
    private FpRegisters() {}

    static final int MAX_SIZE = FpState.MAX_SIZE;
    static final int FXSAVE_SIZE = 512;

    /** The XSAVE user-area size of this CPU, learned from a tracee; -1 without XSAVE (use FXSAVE_SIZE). */
    static int xstateSize(int pid, MemorySegment area, MemorySegment iov) {
        long r = get(pid, MAX_SIZE, area, iov);
        return r < 0 ? -1 : (int) r;
    }

    /** Reads the registers into {@code area}. Returns the bytes read, or {@code -errno}. */
    static long get(int pid, int xstateSize, MemorySegment area, MemorySegment iov) {
        if (xstateSize < 0) {
            long r = Host.ptrace(Ptrace.GETFPREGS, pid, 0, area.address());
            return r < 0 ? r : FXSAVE_SIZE;
        }
        iov.set(JAVA_LONG, 0, area.address());
        iov.set(JAVA_LONG, 8, xstateSize);
        long r = Host.ptrace(Ptrace.GETREGSET, pid, Ptrace.NT_X86_XSTATE, iov.address());
        return r < 0 ? r : iov.get(JAVA_LONG, 8);
    }

    /** Loads {@code area} into the registers. Returns 0 or {@code -errno}. */
    static long set(int pid, int xstateSize, MemorySegment area, MemorySegment iov) {
        if (xstateSize < 0) {
            return Host.ptrace(Ptrace.SETFPREGS, pid, 0, area.address());
        }
        iov.set(JAVA_LONG, 0, area.address());
        iov.set(JAVA_LONG, 8, xstateSize);
        return Host.ptrace(Ptrace.SETREGSET, pid, Ptrace.NT_X86_XSTATE, iov.address());
    }
}
