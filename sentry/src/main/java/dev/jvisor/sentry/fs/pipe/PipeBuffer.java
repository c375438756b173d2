package dev.jvisor.sentry.fs.pipe;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * The data of a pipe, kept as Linux keeps it: a ring of page-sized slots. A write first tries to append to the
 * last slot, if all of it fits there; otherwise it takes fresh slots, a page at a time. So a write of at most a
 * page (PIPE_BUF) is atomic, and the capacity in bytes depends on the write sizes (16 slots hold 65536 bytes
 * written one byte at a time, but 48000 written 3000 at a time), exactly as natively. In packet mode (O_DIRECT)
 * each write fills slots of its own and a read returns at most one slot, dropping what the reader had no room for.
 *
 * <p>Not thread-safe: the {@link Pipe} lock guards it.
 */
public final class PipeBuffer {
    public static final int PAGE = 4096;

    private byte[][] pages;
    private int[] off;
    private int[] len;
    private boolean[] packet;
    private int head; // index of the oldest slot in use
    private int used; // slots in use
    private long bytes;
    private boolean endedPacket;
    private int fresh = -1; // the slot the current write(2) last filled

    public PipeBuffer(int slots) {
        pages = new byte[slots][];
        off = new int[slots];
        len = new int[slots];
        packet = new boolean[slots];
    }

    /** Bytes waiting to be read (FIONREAD). */
    public long bytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return used == 0;
    }

    /** Every slot is in use: a write that cannot merge into the last slot must wait. */
    public boolean isFull() {
        return used == pages.length;
    }

    public int slots() {
        return pages.length;
    }

    public int slotsInUse() {
        return used;
    }

    /** Bytes the pipe can hold ({@code slots * PAGE}): F_GETPIPE_SZ. */
    public int capacity() {
        return pages.length * PAGE;
    }

    /** Writes {@code src} as one whole write(2); see {@link #write(MemorySegment, boolean, long, boolean)}. */
    public long write(MemorySegment src, boolean asPacket) {
        return write(src, asPacket, src.byteSize(), true);
    }

    /**
     * Writes as much of {@code src} as fits and returns the byte count; 0 when nothing fits. As in Linux, a write
     * of {@code whole} bytes first appends {@code whole % PAGE} bytes to the last slot if they fit there, and puts
     * the rest in fresh slots. {@code asPacket} makes each slot one packet and never merges. A write(2) whose
     * buffer comes in several pieces passes {@code first = false} for the later ones, which continue filling the
     * slot the earlier piece left partly full.
     */
    public long write(MemorySegment src, boolean asPacket, long whole, boolean first) {
        long n = src.byteSize();
        if (n == 0) {
            return 0;
        }
        long done = 0;
        if (first) {
            fresh = -1;
            int chars = (int) (whole & (PAGE - 1));
            if (!asPacket && used > 0 && chars != 0) {
                int last = slot(used - 1);
                if (!packet[last] && off[last] + len[last] + chars <= PAGE) {
                    done = append(last, src, 0, Math.min(chars, n));
                    fresh = last;
                }
            }
        } else if (fresh >= 0 && used > 0 && slot(used - 1) == fresh) {
            done = append(fresh, src, 0, Math.min(PAGE - off[fresh] - len[fresh], n));
        }
        while (done < n && used < pages.length) {
            int s = slot(used);
            if (pages[s] == null) {
                pages[s] = new byte[PAGE];
            }
            off[s] = 0;
            len[s] = 0;
            packet[s] = asPacket;
            used++;
            fresh = s;
            done += append(s, src, done, Math.min(PAGE, n - done));
        }
        return done;
    }

    private long append(int s, MemorySegment src, long from, long count) {
        MemorySegment.copy(src, JAVA_BYTE, from, pages[s], off[s] + len[s], (int) count);
        len[s] += (int) count;
        bytes += count;
        return count;
    }

    /**
     * Reads up to {@code dst.byteSize()} bytes in order and returns the count. A packet slot ends the read: it is
     * consumed whole, even if {@code dst} held only part of it.
     */
    public long read(MemorySegment dst) {
        long want = dst.byteSize();
        long done = 0;
        endedPacket = false;
        while (done < want && used > 0) {
            int s = head;
            int chunk = (int) Math.min(len[s], want - done);
            MemorySegment.copy(pages[s], off[s], dst, JAVA_BYTE, done, chunk);
            done += chunk;
            if (packet[s]) {
                bytes -= len[s];
                len[s] = 0;
            } else {
                bytes -= chunk;
                off[s] += chunk;
                len[s] -= chunk;
            }
            if (len[s] == 0) {
                head = slot(1);
                used--;
                if (packet[s]) {
                    endedPacket = true;
                    break;
                }
            }
        }
        return done;
    }

    /** Whether the last {@link #read} consumed a packet (and so must end the read(2) that made it). */
    public boolean endedPacket() {
        return endedPacket;
    }

    /**
     * F_SETPIPE_SZ: resizes to {@code newSlots}. Returns false (EBUSY) when the slots in use would not fit.
     */
    public boolean resize(int newSlots) {
        if (newSlots < used) {
            return false;
        }
        byte[][] p = new byte[newSlots][];
        int[] o = new int[newSlots];
        int[] l = new int[newSlots];
        boolean[] k = new boolean[newSlots];
        for (int i = 0; i < used; i++) {
            int s = slot(i);
            p[i] = pages[s];
            o[i] = off[s];
            l[i] = len[s];
            k[i] = packet[s];
        }
        pages = p;
        off = o;
        len = l;
        packet = k;
        head = 0;
        fresh = -1;
        return true;
    }

    private int slot(int i) {
        return (head + i) % pages.length;
    }
}
