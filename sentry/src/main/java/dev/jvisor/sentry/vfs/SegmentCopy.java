package dev.jvisor.sentry.vfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.ToLongFunction;

/** Helpers for host calls that need a native address while callers may hand heap segments (tests). */
public final class SegmentCopy {
    private SegmentCopy() {}

    /**
     * Runs a host call that fills memory: directly on {@code seg} when it is native, else on a native bounce
     * buffer whose first {@code n} filled bytes are copied back.
     */
    public static long fill(MemorySegment seg, ToLongFunction<MemorySegment> hostCall) {
        if (seg.isNative()) {
            return hostCall.applyAsLong(seg);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(Math.max(1, seg.byteSize()));
            tmp = tmp.asSlice(0, seg.byteSize());
            long n = hostCall.applyAsLong(tmp);
            if (n > 0) {
                MemorySegment.copy(tmp, 0, seg, 0, n);
            }
            return n;
        }
    }

    /** Runs a host call that reads memory: directly when native, else on a native copy of {@code seg}. */
    public static long drain(MemorySegment seg, ToLongFunction<MemorySegment> hostCall) {
        if (seg.isNative()) {
            return hostCall.applyAsLong(seg);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(Math.max(1, seg.byteSize())).asSlice(0, seg.byteSize());
            MemorySegment.copy(seg, 0, tmp, 0, seg.byteSize());
            return hostCall.applyAsLong(tmp);
        }
    }

    /** Copies {@code bytes[from..]} into {@code dst} as far as it fits; returns the count. */
    public static long copyOut(byte[] bytes, long from, MemorySegment dst) {
        if (from >= bytes.length) {
            return 0;
        }
        int n = (int) Math.min(dst.byteSize(), bytes.length - from);
        MemorySegment.copy(bytes, (int) from, dst, JAVA_BYTE, 0, n);
        return n;
    }
}
