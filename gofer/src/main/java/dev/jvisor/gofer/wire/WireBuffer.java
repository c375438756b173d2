package dev.jvisor.gofer.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A little-endian cursor over one native frame buffer. Reads past the frame's limit throw
 * {@link MalformedMessageException}, so a short or lying frame can never be read beyond what arrived.
 */
public final class WireBuffer {
    private final MemorySegment seg;
    private int pos;
    private int limit;

    public WireBuffer(MemorySegment seg) {
        this.seg = seg;
        this.limit = (int) seg.byteSize();
    }

    public MemorySegment segment() {
        return seg;
    }

    public int capacity() {
        return (int) seg.byteSize();
    }

    public int position() {
        return pos;
    }

    public void position(int p) {
        pos = p;
    }

    public int limit() {
        return limit;
    }

    public void limit(int l) {
        limit = l;
    }

    public int remaining() {
        return limit - pos;
    }

    /** Starts writing a new frame. */
    public void clear() {
        pos = 0;
        limit = capacity();
    }

    private int need(int n) {
        if (n < 0 || limit - pos < n) {
            throw new MalformedMessageException("frame ends " + (n - (limit - pos)) + " bytes early");
        }
        int p = pos;
        pos += n;
        return p;
    }

    public int getU8() {
        return seg.get(JAVA_BYTE, need(1)) & 0xff;
    }

    public int getU16() {
        return seg.get(JAVA_SHORT_UNALIGNED, need(2)) & 0xffff;
    }

    public int getInt() {
        return seg.get(JAVA_INT_UNALIGNED, need(4));
    }

    public long getLong() {
        return seg.get(JAVA_LONG_UNALIGNED, need(8));
    }

    public int getIntAt(int off) {
        return seg.get(JAVA_INT_UNALIGNED, off);
    }

    /** Skips {@code n} bytes and returns the offset where they start. */
    public int skip(int n) {
        return need(n);
    }

    /** A {@code u16}-length-prefixed name, decoded as UTF-8. */
    public String getName() {
        int n = getU16();
        return getString(n);
    }

    public String getString(int n) {
        int off = need(n);
        byte[] b = new byte[n];
        MemorySegment.copy(seg, JAVA_BYTE, off, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    public byte getByteAt(int off) {
        return seg.get(JAVA_BYTE, off);
    }

    // Writes: the writer sizes its frames, so overflowing the buffer is a bug or an oversized request.

    private int room(int n) {
        if (capacity() - pos < n) {
            throw new MalformedMessageException("frame larger than " + capacity() + " bytes");
        }
        int p = pos;
        pos += n;
        return p;
    }

    public WireBuffer putU8(int v) {
        seg.set(JAVA_BYTE, room(1), (byte) v);
        return this;
    }

    public WireBuffer putU16(int v) {
        seg.set(JAVA_SHORT_UNALIGNED, room(2), (short) v);
        return this;
    }

    public WireBuffer putInt(int v) {
        seg.set(JAVA_INT_UNALIGNED, room(4), v);
        return this;
    }

    public WireBuffer putLong(long v) {
        seg.set(JAVA_LONG_UNALIGNED, room(8), v);
        return this;
    }

    public void putIntAt(int off, int v) {
        seg.set(JAVA_INT_UNALIGNED, off, v);
    }

    public WireBuffer putBytes(byte[] b) {
        int off = room(b.length);
        MemorySegment.copy(b, 0, seg, JAVA_BYTE, off, b.length);
        return this;
    }

    /** Copies {@code n} bytes from native memory. */
    public WireBuffer putBytes(MemorySegment src, long srcOff, int n) {
        int off = room(n);
        MemorySegment.copy(src, srcOff, seg, off, n);
        return this;
    }

    /** A {@code u16}-length-prefixed name. */
    public WireBuffer putName(byte[] utf8) {
        putU16(utf8.length);
        return putBytes(utf8);
    }
}
