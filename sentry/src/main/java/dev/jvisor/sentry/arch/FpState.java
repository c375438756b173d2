package dev.jvisor.sentry.arch;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A task's floating-point and vector state as an XSAVE area (legacy FXSAVE region, XSAVE header, extended
 * components). Platforms move it in and out only when the kernel asks (exec, signal frames), never on each
 * switch. Owned by the task thread.
 */
public final class FpState {
    /** Large enough for every XSAVE component on current x86-64 parts, AVX-512 included. */
    public static final int MAX_SIZE = 4096;

    private static final long FCW = 0, MXCSR = 24, XSTATE_BV = 512;

    private final MemorySegment seg;
    private int size;

    public FpState(Arena arena) {
        this.seg = arena.allocate(MAX_SIZE, 64);
        resetToInit();
    }

    public MemorySegment segment() {
        return seg;
    }

    /** Bytes of {@link #segment()} that hold state (what the platform last transferred). */
    public int size() {
        return size;
    }

    public void size(int size) {
        this.size = size;
    }

    /**
     * The architectural initial state: x87 control word 0x37f, MXCSR 0x1f80, and an XSAVE header that marks
     * every component as in its init state (XSTATE_BV = 0, except x87/SSE kept explicit so FXRSTOR-only paths
     * load the control words). No value from any earlier program survives.
     */
    public void resetToInit() {
        seg.fill((byte) 0);
        seg.set(JAVA_SHORT, FCW, (short) 0x37f);
        seg.set(JAVA_INT, MXCSR, 0x1f80);
        seg.set(JAVA_LONG, XSTATE_BV, 0x3L);
        size = 512 + 64;
    }
}
