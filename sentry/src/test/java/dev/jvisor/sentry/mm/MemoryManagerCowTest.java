package dev.jvisor.sentry.mm;

import static dev.jvisor.abi.Mman.MADV_DONTNEED;
import static dev.jvisor.abi.Mman.MAP_ANONYMOUS;
import static dev.jvisor.abi.Mman.MAP_PRIVATE;
import static dev.jvisor.abi.Mman.MAP_SHARED;
import static dev.jvisor.abi.Mman.PROT_READ;
import static dev.jvisor.abi.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.platform.FaultInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fork(2) with copy-on-write: private pages are shared read-only until one side writes them (a workload write
 * fault or a sentry copy), memory-file usage grows only by the pages written, and every page is freed by its
 * last owner.
 */
class MemoryManagerCowTest {
    private static final long PAGE = 4096;
    private static final int RW = PROT_READ | PROT_WRITE;

    private MemoryFile file;
    private RecordingAddressSpace parentAs;
    private MemoryManager parent;

    @BeforeEach
    void setUp() {
        file = new MemoryFile(1L << 30, 1L << 30);
        parentAs = new RecordingAddressSpace();
        parent = new MemoryManager(file, parentAs);
    }

    @AfterEach
    void tearDown() {
        file.close();
    }

    private static FaultInfo writeFault(long addr) {
        FaultInfo f = new FaultInfo();
        f.set(Signals.SIGSEGV, SigInfo.SEGV_ACCERR, addr);
        return f; // errorCode -1: unknown, as under ptrace
    }

    @Test
    void forkSharesPagesReadOnlyAndAWriteFaultCopiesTheBlockAroundIt() {
        int pages = 64;
        long a = parent.mmap(0, pages * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        for (int i = 0; i < pages; i++) {
            parent.writeLong(a + i * PAGE, 100 + i);
        }
        long before = file.allocated();
        RecordingAddressSpace childAs = new RecordingAddressSpace();
        MemoryManager child = parent.forkBegin(false).finish(childAs);
        assertEquals(before, file.allocated(), "fork allocates nothing");
        assertEquals(PROT_READ, parentAs.protAt(a + 5 * PAGE), "the parent's copy-on-write pages lose PROT_WRITE");
        assertEquals(PROT_READ, childAs.protAt(a + 5 * PAGE));
        parentAs.assertMirrors(parent);
        childAs.assertMirrors(child);

        long fault = a + 30 * PAGE + 8;
        long blockStart = Math.max(a, fault & -(16 * PAGE));
        long blockEnd = Math.min(a + pages * PAGE, (fault & -(16 * PAGE)) + 16 * PAGE);
        assertTrue(child.handleFault(writeFault(fault)), "a write fault on a COW page is resolved");
        assertEquals(before + (blockEnd - blockStart), file.allocated(), "the aligned 64 KiB block is copied");
        assertEquals(RW, childAs.protAt(fault & -PAGE));
        assertEquals(RW, childAs.protAt(blockStart));
        assertEquals(PROT_READ, childAs.protAt(blockEnd), "pages past the block stay shared");
        assertEquals(PROT_READ, childAs.protAt(blockStart - PAGE), "pages before it too");
        assertEquals(130, child.readLong(a + 30 * PAGE), "the copy holds the shared bytes");
        child.writeLong(a + 30 * PAGE, -1);
        assertEquals(130, parent.readLong(a + 30 * PAGE), "the child's page is its own");
        childAs.assertMirrors(child);

        // The parent writes one page still shared through the sentry (as read(2) would): only that page is copied.
        long now = file.allocated();
        parent.writeLong(a + 60 * PAGE, -7);
        assertEquals(160, child.readLong(a + 60 * PAGE));
        assertEquals(now + PAGE, file.allocated());
        parentAs.assertMirrors(parent);

        child.release();
        // Now nothing is shared: the parent's next write fault just makes its pages writable again.
        now = file.allocated();
        assertTrue(parent.handleFault(writeFault(a + 9 * PAGE)));
        assertEquals(now, file.allocated(), "the last owner writes in place");
        assertEquals(RW, parentAs.protAt(a + 9 * PAGE));
        assertFalse(parent.findVma(a + 9 * PAGE).cow(), "a VMA no one shares stops being copy-on-write");
        parent.release();
        assertEquals(0, file.allocated(), "every page is freed once, by its last owner");
    }

    @Test
    void forkWriteProtectsEveryWritablePrivatePageOfTheParent() {
        long a = parent.mmap(0, 8 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(0, parent.mprotect(a + 2 * PAGE, PAGE, PROT_READ));
        assertEquals(0, parent.mprotect(a + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE | dev.jvisor.abi.Mman.PROT_EXEC));
        long b = parent.mmap(0, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        long s = parent.mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        MemoryManager child = parent.fork(new RecordingAddressSpace());
        for (int i = 0; i < 8; i++) {
            int want = i == 5 ? PROT_READ | dev.jvisor.abi.Mman.PROT_EXEC : PROT_READ; // never PROT_WRITE
            assertEquals(want, parentAs.protAt(a + i * PAGE), "page " + i);
        }
        assertEquals(PROT_READ, parentAs.protAt(b + PAGE));
        assertEquals(RW, parentAs.protAt(s));
        parentAs.assertMirrors(parent);
        child.release();
        parent.release();
        assertEquals(0, file.allocated());
    }

    @Test
    void sharedMemoryStaysSharedAndReadOnlyMemoryIsNoWriteFault() {
        long s = parent.mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        long ro = parent.mmap(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        MemoryManager child = parent.fork(new RecordingAddressSpace());
        assertEquals(RW, parentAs.protAt(s), "MAP_SHARED keeps PROT_WRITE");
        child.writeInt(s, 9);
        assertEquals(9, parent.readInt(s));
        FaultInfo f = writeFault(ro);
        assertFalse(child.handleFault(f), "a write to a read-only mapping is a real SIGSEGV");
        assertEquals(Signals.SIGSEGV, f.signo);
        assertEquals(SigInfo.SEGV_ACCERR, f.code);
        FaultInfo known = writeFault(s + 4 * PAGE);
        assertFalse(child.handleFault(known), "nothing mapped there");
        child.release();
        parent.release();
        assertEquals(0, file.allocated());
    }

    @Test
    void writeOnlyMemoryStaysReadableWhileCopyOnWrite() {
        long a = parent.mmap(0, PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        MemoryManager child = parent.fork(new RecordingAddressSpace());
        assertEquals(PROT_READ, parentAs.protAt(a), "x86 lets PROT_WRITE memory be read: so must the host");
        child.release();
        parent.release();
    }

    @Test
    void aKnownReadFaultIsNotTakenForAWrite() {
        long a = parent.mmap(0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        MemoryManager child = parent.fork(new RecordingAddressSpace());
        FaultInfo f = writeFault(a);
        f.errorCode = 4 | 1; // user, present, read (an instruction fetch would look like this too)
        assertFalse(child.handleFault(f));
        child.release();
        parent.release();
        assertEquals(0, file.allocated());
    }

    @Test
    void forkChainsAndMunmapMadviseAndExitDropReferences() {
        long base = file.allocated();
        for (int round = 0; round < 20; round++) {
            long a = parent.mmap(0, 64 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            for (int i = 0; i < 64; i++) {
                parent.writeInt(a + i * PAGE, i);
            }
            MemoryManager child = parent.fork(new RecordingAddressSpace());
            MemoryManager grandchild = child.fork(new RecordingAddressSpace());
            grandchild.writeInt(a + 3 * PAGE, -3);
            child.writeInt(a + 4 * PAGE, -4);
            assertEquals(3, parent.readInt(a + 3 * PAGE));
            assertEquals(3, child.readInt(a + 3 * PAGE));
            assertEquals(4, grandchild.readInt(a + 4 * PAGE));
            assertEquals(0, child.madvise(a + 10 * PAGE, 2 * PAGE, MADV_DONTNEED));
            assertEquals(0, child.readInt(a + 10 * PAGE), "MADV_DONTNEED zeroes the child's view only");
            assertEquals(10, parent.readInt(a + 10 * PAGE));
            assertEquals(10, grandchild.readInt(a + 10 * PAGE));
            assertEquals(0, grandchild.mprotect(a, 8 * PAGE, PROT_READ));
            assertEquals(0, grandchild.mprotect(a, 8 * PAGE, RW));
            grandchild.writeInt(a + 5 * PAGE, -5);
            assertEquals(5, parent.readInt(a + 5 * PAGE), "mprotect back to RW keeps copy-on-write");
            assertEquals(0, child.munmap(a + 32 * PAGE, 16 * PAGE));
            assertEquals(32, parent.readInt(a + 32 * PAGE));
            long moved = child.mremap(a + 48 * PAGE, 16 * PAGE, 24 * PAGE, dev.jvisor.abi.Mman.MREMAP_MAYMOVE, 0);
            assertTrue(moved > 0, "mremap: " + moved);
            assertEquals(50, child.readInt(moved + 2 * PAGE), "moved pages keep their bytes, still shared");
            child.writeInt(moved + 2 * PAGE, -50);
            assertEquals(50, parent.readInt(a + 50 * PAGE), "and copy-on-write after the move");
            child.release();
            grandchild.release();
            assertEquals(0, parent.munmap(a, 64 * PAGE));
            assertEquals(base, file.allocated(), "round " + round + ": usage back at its baseline");
        }
        parent.release();
    }

    @Test
    void sentryWritesSpanningManyCopyOnWritePagesCopyThemAll() {
        long a = parent.mmap(0, 32 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        for (int i = 0; i < 32; i++) {
            parent.writeInt(a + i * PAGE, i);
        }
        MemoryManager child = parent.fork(new RecordingAddressSpace());
        byte[] ones = new byte[(int) (10 * PAGE)];
        java.util.Arrays.fill(ones, (byte) 1);
        child.writeBytes(a + PAGE / 2, ones, 0, ones.length);
        for (int i = 0; i < 32; i++) {
            assertEquals(i, parent.readInt(a + i * PAGE), "parent page " + i);
        }
        assertEquals(0x01010101, child.readInt(a + 5 * PAGE));
        assertTrue(child.vmas().size() > 1, "the copies are VMA pieces of their own");
        assertEquals(1, child.mappings().size(), "which /proc/self/maps shows as the one mapping they are");
        assertEquals(11, child.readInt(a + 11 * PAGE));
        // io() for a read(2) into a COW page: the workload's memory is written, so it is unshared first.
        long r = child.io(a + 20 * PAGE, 8, true, seg -> {
            seg.fill((byte) 2);
            return seg.byteSize();
        });
        assertEquals(8, r);
        assertEquals(20, parent.readInt(a + 20 * PAGE));
        assertEquals(0x02020202, child.readInt(a + 20 * PAGE));
        assertEquals(0, child.compareAndExchangeInt(a + 21 * PAGE + 4, 0, 77), "a futex word is unshared too");
        assertEquals(0, parent.readInt(a + 21 * PAGE + 4));
        child.release();
        parent.release();
        assertEquals(0, file.allocated());
    }

    @Test
    void aForkDuringABlockedReadLeavesTheReadersPagesWithTheReader() {
        long a = parent.mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        parent.writeInt(a + 100, 1);
        MemoryManager[] child = new MemoryManager[1];
        // read(2) into a + 8 blocks (the callback runs without the lock) while another thread forks; then the
        // parent writes the same page elsewhere and the read's bytes arrive.
        long r = parent.io(a + 8, 4, true, seg -> {
            child[0] = parent.fork(new RecordingAddressSpace());
            parent.handleFault(writeFault(a + 100));
            parent.writeInt(a + 100, 2);
            seg.fill((byte) 7);
            return seg.byteSize();
        });
        assertEquals(4, r);
        assertEquals(0x07070707, parent.readInt(a + 8), "the reader's bytes land in the reader's memory");
        assertEquals(2, parent.readInt(a + 100));
        assertEquals(1, child[0].readInt(a + 100), "the child has the memory as it was at fork");
        child[0].release();
        parent.release();
        assertEquals(0, file.allocated());
    }

    @Test
    void eagerForkStillCopiesAtOnce() {
        long a = parent.mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        parent.writeInt(a, 1);
        parent.writeInt(a + 2 * PAGE, 2);
        long before = file.allocated();
        RecordingAddressSpace childAs = new RecordingAddressSpace();
        MemoryManager child = parent.forkBegin(true).finish(childAs);
        assertEquals(before + 4 * PAGE, file.allocated(), "a whole new range for the copy");
        assertEquals(RW, childAs.protAt(a));
        assertEquals(RW, parentAs.protAt(a));
        child.writeInt(a, 5);
        assertEquals(1, parent.readInt(a));
        assertEquals(2, child.readInt(a + 2 * PAGE));
        child.release();
        parent.release();
        assertEquals(0, file.allocated());
    }

    @Test
    void aCancelledForkGivesItsReferencesBack() {
        long a = parent.mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        parent.writeInt(a, 1);
        parent.forkBegin(false).cancel();
        long now = file.allocated();
        assertTrue(parent.handleFault(writeFault(a)));
        assertEquals(now, file.allocated(), "nothing shared any more: written in place");
        parent.release();
        assertEquals(0, file.allocated());
    }
}
