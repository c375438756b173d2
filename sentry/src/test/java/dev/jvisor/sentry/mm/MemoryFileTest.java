package dev.jvisor.sentry.mm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Stat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class MemoryFileTest {
    private static final long MB = 1 << 20;

    @Test
    void allocationsArePageAlignedDisjointAndZero() {
        try (MemoryFile f = new MemoryFile(64 * MB, 64 * MB)) {
            long a = f.allocate(8192);
            long b = f.allocate(4096);
            assertTrue(a >= 0 && b >= 0);
            assertEquals(0, a % 4096);
            assertEquals(0, b % 4096);
            assertTrue(a + 8192 <= b || b + 4096 <= a, "ranges overlap");
            assertEquals(0, f.segment().get(JAVA_LONG, a + 4096));
            assertEquals(12288, f.allocated());
        }
    }

    @Test
    void freedMemoryComesBackZeroAndReturnsToTheHost() {
        try (MemoryFile f = new MemoryFile(64 * MB, 64 * MB); Arena arena = Arena.ofConfined()) {
            long a = f.allocate(MB);
            f.segment().asSlice(a, MB).fill((byte) 0x5a);
            long before = blocks(f.fd(), arena);
            f.free(a, MB);
            assertTrue(blocks(f.fd(), arena) <= before - MB / 512, "punching a hole must release the pages");
            long again = f.allocate(MB);
            assertEquals(a, again, "lowest first fit reuses the freed range");
            assertEquals(0, f.segment().get(JAVA_LONG, again + 4096));
            assertEquals(MB, f.allocated());
        }
    }

    @Test
    void partOfAnAllocationCanBeFreedAndNeighboursMerge() {
        try (MemoryFile f = new MemoryFile(4 * MB, 4 * MB)) {
            long a = f.allocate(4 * MB);
            assertEquals(0, a);
            f.free(MB, MB);
            f.free(3 * MB, MB);
            f.free(2 * MB, MB);
            // [1 MiB, 4 MiB) is now one free extent.
            assertEquals(MB, f.allocate(3 * MB));
        }
    }

    @Test
    void allocateAtGrowsAnAllocationInPlaceOnlyIfFree() {
        try (MemoryFile f = new MemoryFile(64 * MB, 64 * MB)) {
            long a = f.allocate(4096);
            long b = f.allocate(4096);
            assertEquals(Errno.ENOMEM.ret(), f.allocateAt(a + 4096, 4096), "taken by b");
            assertEquals(b + 4096, f.allocateAt(b + 4096, 8192));
            assertEquals(b + 3 * 4096, f.allocate(4096), "the free extent was cut, not lost");
            f.free(a, 4096);
            assertEquals(a, f.allocateAt(a, 4096));
            assertEquals(5 * 4096, f.allocated());
        }
    }

    @Test
    void allocationBeyondTheCapIsEnomem() {
        try (MemoryFile f = new MemoryFile(64 * MB, 2 * MB)) {
            assertTrue(f.allocate(MB) >= 0);
            assertEquals(Errno.ENOMEM.ret(), f.allocate(2 * MB));
            assertTrue(f.allocate(MB) >= 0);
            assertEquals(Errno.ENOMEM.ret(), f.allocate(4096));
        }
    }

    @Test
    void allocationBeyondTheFileIsEnomemEvenUnderTheCap() {
        try (MemoryFile f = new MemoryFile(MB, MB)) {
            assertEquals(Errno.ENOMEM.ret(), f.allocate(2 * MB));
        }
    }

    @Test
    void doubleFreeIsCaught() {
        try (MemoryFile f = new MemoryFile(MB, MB)) {
            long a = f.allocate(8192);
            f.free(a, 8192);
            assertThrows(IllegalStateException.class, () -> f.free(a, 4096));
        }
    }

    @Test
    void theDefaultFileIsLargeButCostsNothing() {
        try (MemoryFile f = new MemoryFile(); Arena arena = Arena.ofConfined()) {
            assertEquals(MemoryFile.DEFAULT_SIZE, f.size());
            assertTrue(blocks(f.fd(), arena) < 1024, "a fresh memory file must be sparse");
        }
    }

    private static long blocks(int fd, Arena arena) {
        MemorySegment st = arena.allocate(Stat.LAYOUT);
        assertEquals(0, Host.fstat(fd, st));
        return Stat.blocks(st);
    }
}
