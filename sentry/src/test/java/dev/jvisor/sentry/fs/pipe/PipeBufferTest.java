package dev.jvisor.sentry.fs.pipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pipe buffer keeps Linux's page slots: capacity, merging, PIPE_BUF atomicity, packets and resizing. */
class PipeBufferTest {
    private static MemorySegment bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return MemorySegment.ofArray(b);
    }

    private static MemorySegment text(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String read(PipeBuffer b, int n) {
        byte[] out = new byte[n];
        long got = b.read(MemorySegment.ofArray(out));
        return new String(out, 0, (int) got, StandardCharsets.US_ASCII);
    }

    private static long fill(PipeBuffer b, int chunk) {
        long total = 0;
        for (long n; (n = b.write(bytes(chunk), false)) > 0; ) {
            total += n;
            if (n < chunk) {
                break;
            }
        }
        return total;
    }

    @Test
    void smallWritesMergeIntoPagesUpToTheFullCapacity() {
        PipeBuffer b = new PipeBuffer(Pipe.DEFAULT_SLOTS);
        assertEquals(65536, b.capacity());
        assertEquals(65536, fill(b, 1));
        assertTrue(b.isFull());
        assertEquals(65536, b.bytes());
    }

    @Test
    void aWriteThatDoesNotFitInTheLastPageTakesAFreshOne() {
        PipeBuffer b = new PipeBuffer(Pipe.DEFAULT_SLOTS);
        assertEquals(16 * 3000, fill(b, 3000)); // as Linux: 48000, not 65536
        assertEquals(16, b.slotsInUse());
    }

    @Test
    void writesUpToAPageAreAllOrNothing() {
        PipeBuffer b = new PipeBuffer(2);
        assertEquals(4096, b.write(bytes(4096), false));
        assertEquals(4000, b.write(bytes(4000), false));
        assertEquals(0, b.write(bytes(100), false), "no room for all 100 bytes: nothing is written");
        assertEquals(96, b.write(bytes(96), false), "exactly what is left in the last page");
    }

    @Test
    void writesLargerThanAPageArePartial() {
        PipeBuffer b = new PipeBuffer(2);
        assertEquals(8192, b.write(bytes(10000), false));
        assertEquals(0, b.write(bytes(10000), false));
    }

    @Test
    void theRemainderOfABigWriteMergesFirst() {
        PipeBuffer b = new PipeBuffer(4);
        assertEquals(100, b.write(bytes(100), false));
        // 5000 = 904 merged into the first page + one full fresh page, as pipe_write does
        assertEquals(5000, b.write(bytes(5000), false));
        assertEquals(2, b.slotsInUse());
    }

    @Test
    void dataComesOutInOrder() {
        PipeBuffer b = new PipeBuffer(4);
        b.write(text("hello "), false);
        b.write(text("world"), false);
        assertEquals("hel", read(b, 3));
        assertEquals("lo world", read(b, 100));
        assertTrue(b.isEmpty());
        assertEquals(0, b.bytes());
    }

    @Test
    void packetsAreReadOneAtATimeAndTruncated() {
        PipeBuffer b = new PipeBuffer(4);
        b.write(text("one"), true);
        b.write(text("two!"), true);
        assertEquals("one", read(b, 100));
        assertTrue(b.endedPacket());
        assertEquals("tw", read(b, 2));
        assertTrue(b.isEmpty(), "the rest of the packet is dropped");
        assertEquals(1, b.write(text("x"), true));
        assertEquals(1, b.write(text("y"), true));
        assertEquals(2, b.slotsInUse(), "packets never merge");
    }

    @Test
    void resizingKeepsTheDataAndRefusesToShrinkBelowIt() {
        PipeBuffer b = new PipeBuffer(16);
        b.write(bytes(3 * 4096), false);
        assertFalse(b.resize(2));
        assertTrue(b.resize(4));
        assertEquals(16384, b.capacity());
        byte[] out = new byte[3 * 4096];
        assertEquals(out.length, b.read(MemorySegment.ofArray(out)));
        byte[] want = new byte[3 * 4096];
        bytes(4096).asByteBuffer().get(want, 0, 4096);
        bytes(3 * 4096).asByteBuffer().get(want);
        assertArrayEquals(want, out);
    }

    @Test
    void pipeSizesRoundUpToAPowerOfTwoPages() {
        assertEquals(1, PipeFileDescription.roundPages(0));
        assertEquals(1, PipeFileDescription.roundPages(1));
        assertEquals(2, PipeFileDescription.roundPages(4097));
        assertEquals(4, PipeFileDescription.roundPages(3 * 4096));
        assertEquals(256, PipeFileDescription.roundPages(1 << 20));
        assertEquals(0, PipeFileDescription.roundPages((1L << 31) + 1), "too big: EINVAL");
    }
}
