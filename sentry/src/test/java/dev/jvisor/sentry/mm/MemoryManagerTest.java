package dev.jvisor.sentry.mm;

import static dev.jvisor.abi.Mman.MAP_ANONYMOUS;
import static dev.jvisor.abi.Mman.MAP_FIXED;
import static dev.jvisor.abi.Mman.MAP_FIXED_NOREPLACE;
import static dev.jvisor.abi.Mman.MAP_PRIVATE;
import static dev.jvisor.abi.Mman.MAP_SHARED;
import static dev.jvisor.abi.Mman.PROT_NONE;
import static dev.jvisor.abi.Mman.PROT_READ;
import static dev.jvisor.abi.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.platform.FaultInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class MemoryManagerTest {
    private static final long PAGE = 4096;
    private static final int RW = PROT_READ | PROT_WRITE;
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;

    private MemoryFile file;
    private RecordingAddressSpace as;
    private MemoryManager mm;

    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() {
        file = new MemoryFile(1L << 30, 1L << 30);
        as = new RecordingAddressSpace();
        mm = new MemoryManager(file, as);
    }

    @AfterEach
    void tearDown() {
        as.assertMirrors(mm);
        mm.releaseAll();
        assertEquals(0, file.allocated(), "every memory-file page is freed once nothing maps it");
        file.close();
    }

    private long map(long len, int prot) {
        long a = mm.mmap(0, len, prot, ANON, null, 0);
        assertTrue(a > 0, "mmap failed: " + a);
        return a;
    }

    private static void assertErrno(Errno e, long ret) {
        assertEquals(e.ret(), ret, () -> "expected " + e + " but got " + ret);
    }

    private static void assertFault(Executable ex) {
        ErrnoException e = assertThrows(ErrnoException.class, ex);
        assertEquals(Errno.EFAULT, e.errno());
    }

    // ---- mmap ----

    @Test
    void anonymousMemoryIsZeroWritableAndMappedIntoTheAddressSpace() {
        long a = map(3 * PAGE, RW);
        assertEquals(0, a % PAGE);
        assertTrue(a + 3 * PAGE <= mm.mmapBase(), "top-down placement stays below mmap_base");
        assertEquals(0L, mm.readLong(a + 2 * PAGE + 8));
        mm.writeLong(a + 100, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, mm.readLong(a + 100));
        assertEquals(1, mm.vmas().size());
        assertTrue(as.calls.getLast().startsWith(String.format("map %x %x 3", a, 3 * PAGE)), as.calls.toString());
    }

    @Test
    void successiveMappingsGoDownwards() {
        long a = map(PAGE, RW);
        long b = map(PAGE, RW);
        assertEquals(a - PAGE, b);
    }

    @Test
    void aFreeHintIsHonouredAndAnOccupiedOneIsNot() {
        long hint = 0x200000000L;
        assertEquals(hint, mm.mmap(hint + 123, PAGE, RW, ANON, null, 0), "hints are rounded down to a page");
        long other = mm.mmap(hint, PAGE, RW, ANON, null, 0);
        assertTrue(other > 0 && other != hint);
    }

    @Test
    void mapFixedReplacesWhatWasThere() {
        long a = map(4 * PAGE, RW);
        mm.writeLong(a + PAGE, 42);
        mm.writeLong(a, 7);
        assertEquals(a + PAGE, mm.mmap(a + PAGE, PAGE, PROT_READ, ANON | MAP_FIXED, null, 0));
        assertEquals(0, mm.readLong(a + PAGE));
        assertEquals(7, mm.readLong(a));
        assertEquals(3, mm.vmas().size());
    }

    @Test
    void mapFixedNoreplaceFailsWithEexistOverAMapping() {
        long a = map(2 * PAGE, RW);
        assertErrno(Errno.EEXIST, mm.mmap(a + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, null, 0));
        assertEquals(a + 2 * PAGE, mm.mmap(a + 2 * PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, null, 0));
    }

    @Test
    void mmapRejectsWhatLinuxRejects() {
        assertErrno(Errno.EINVAL, mm.mmap(0, 0, RW, ANON, null, 0));
        assertErrno(Errno.EINVAL, mm.mmap(0x200000123L, PAGE, RW, ANON | MAP_FIXED, null, 0));
        assertErrno(Errno.EINVAL, mm.mmap(0, PAGE, RW, MAP_ANONYMOUS, null, 0));
        assertErrno(Errno.EINVAL, mm.mmap(0, PAGE, RW, Mman.MAP_SHARED_VALIDATE | MAP_ANONYMOUS, null, 0));
        assertErrno(Errno.EINVAL, mm.mmap(0, PAGE, RW, 0x0f | MAP_ANONYMOUS, null, 0));
        assertErrno(Errno.EINVAL, mm.mmap(0, PAGE, RW, ANON, null, 1));
        assertErrno(Errno.EINVAL, mm.mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS | Mman.MAP_GROWSDOWN, null, 0));
        assertErrno(Errno.ENOMEM, mm.mmap(0, -1L, RW, ANON, null, 0));
        assertErrno(Errno.ENOMEM, mm.mmap(0, 1L << 47, RW, ANON, null, 0));
        assertErrno(Errno.ENOMEM, mm.mmap(mm.maxUserAddress() - PAGE, 2 * PAGE, RW, ANON | MAP_FIXED, null, 0));
        assertErrno(Errno.EPERM, mm.mmap(PAGE, PAGE, RW, ANON | MAP_FIXED, null, 0));
        assertErrno(Errno.EBADF, mm.mmap(0, PAGE, RW, MAP_PRIVATE, null, 0));
        assertErrno(Errno.ENOMEM, mm.mmap(0, PAGE, RW, ANON | Mman.MAP_HUGETLB, null, 0));
        assertTrue(mm.vmas().isEmpty());
    }

    @Test
    void mappingMoreThanTheMemoryCapIsEnomem() {
        try (MemoryFile small = new MemoryFile(1L << 30, 1L << 20)) {
            RecordingAddressSpace sas = new RecordingAddressSpace();
            MemoryManager smm = new MemoryManager(small, sas);
            assertErrno(Errno.ENOMEM, smm.mmap(0, 2L << 20, RW, ANON, null, 0));
            long a = smm.mmap(0, 1L << 20, RW, ANON, null, 0);
            assertTrue(a > 0);
            assertErrno(Errno.ENOMEM, smm.mmap(0, PAGE, RW, ANON, null, 0));
            assertEquals(0, smm.munmap(a, 1L << 20));
            assertTrue(smm.mmap(0, PAGE, RW, ANON, null, 0) > 0, "unmapped memory counts no more");
            smm.releaseAll();
            assertEquals(0, small.allocated());
        }
    }

    @Test
    void privateFileMappingCopiesTheFileAndZeroFillsPastEof() throws Exception {
        byte[] content = new byte[PAGE_INT + 100];
        Arrays.fill(content, (byte) 'x');
        content[PAGE_INT] = 'y';
        try (HostFile f = HostFile.of(tmp, content)) {
            long a = mm.mmap(0, 3 * PAGE, PROT_READ, MAP_PRIVATE, f, 0);
            assertTrue(a > 0);
            assertEquals('x', mm.readByte(a));
            assertEquals('y', mm.readByte(a + PAGE));
            assertEquals(0, mm.readByte(a + PAGE + 100), "the rest of the last page is zero");
            // A page wholly past EOF is no memory at all: the workload gets SIGBUS there, the sentry EFAULT.
            assertThrows(ErrnoException.class, () -> mm.readByte(a + 2 * PAGE));
            FaultInfo fi = new FaultInfo();
            fi.set(Signals.SIGSEGV, SigInfo.SEGV_MAPERR, a + 2 * PAGE + 8);
            assertFalse(mm.handleFault(fi));
            assertEquals(Signals.SIGBUS, fi.signo);
            assertEquals(SigInfo.BUS_ADRERR, fi.code);
            assertEquals(a + 2 * PAGE + 8, fi.addr);
            fi.set(Signals.SIGSEGV, SigInfo.SEGV_MAPERR, a + PAGE + 200);
            assertFalse(mm.handleFault(fi), "the partial last page is ordinary memory");
            assertEquals(Signals.SIGSEGV, fi.signo);
            long b = mm.mmap(0, PAGE, PROT_READ, MAP_PRIVATE, f, PAGE);
            assertEquals('y', mm.readByte(b), "the offset selects the file page");
            long c = mm.mmap(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, f, 0, 10, "exe");
            assertEquals('x', mm.readByte(c + 9));
            assertEquals(0, mm.readByte(c + 10), "bytes past fileBytes are zero");
            assertEquals("exe", mm.findVma(c).name());
        }
    }

    private static final int PAGE_INT = 4096;

    // ---- munmap ----

    @Test
    void munmapInTheMiddleSplitsTheVma() {
        long a = map(3 * PAGE, RW);
        mm.writeLong(a, 1);
        mm.writeLong(a + 2 * PAGE, 3);
        assertEquals(0, mm.munmap(a + PAGE, PAGE));
        List<Vma> v = mm.vmas();
        assertEquals(2, v.size());
        assertEquals(a + PAGE, v.get(0).end());
        assertEquals(a + 2 * PAGE, v.get(1).start());
        assertEquals(1, mm.readLong(a));
        assertEquals(3, mm.readLong(a + 2 * PAGE));
        assertFault(() -> mm.readLong(a + PAGE));
        assertTrue(as.calls.contains(String.format("unmap %x %x", a + PAGE, PAGE)), as.calls.toString());
        assertEquals(2 * PAGE, file.allocated(), "the unmapped page's memory is freed");
    }

    @Test
    void munmapOfNothingSucceedsAndBadArgumentsAreEinval() {
        assertEquals(0, mm.munmap(0x300000000L, PAGE));
        assertErrno(Errno.EINVAL, mm.munmap(0x300000001L, PAGE));
        assertErrno(Errno.EINVAL, mm.munmap(0x300000000L, 0));
        assertErrno(Errno.EINVAL, mm.munmap(mm.maxUserAddress() - PAGE, 2 * PAGE));
        assertErrno(Errno.EINVAL, mm.munmap(0x300000000L, 1L << 50));
    }

    @Test
    void munmapAcrossSeveralVmasRemovesAllOfThem() {
        long a = map(4 * PAGE, RW);
        mm.mprotect(a + PAGE, PAGE, PROT_READ);
        assertEquals(3, mm.vmas().size());
        assertEquals(0, mm.munmap(a, 3 * PAGE));
        assertEquals(1, mm.vmas().size());
        assertEquals(a + 3 * PAGE, mm.vmas().getFirst().start());
    }

    // ---- mprotect ----

    @Test
    void mprotectSplitsAndMergesBack() {
        long a = map(3 * PAGE, RW);
        assertEquals(0, mm.mprotect(a + PAGE, PAGE, PROT_READ));
        assertEquals(3, mm.vmas().size());
        assertEquals(PROT_READ, mm.findVma(a + PAGE).prot());
        assertTrue(as.calls.contains(String.format("protect %x %x 1", a + PAGE, PAGE)), as.calls.toString());
        assertEquals(0, mm.mprotect(a + PAGE, PAGE, RW));
        assertEquals(1, mm.vmas().size(), "equal neighbours merge again");
    }

    @Test
    void mprotectOverAHoleIsEnomemAfterChangingWhatPrecedesIt() {
        long a = map(3 * PAGE, RW);
        mm.munmap(a + PAGE, PAGE);
        assertErrno(Errno.ENOMEM, mm.mprotect(a, 3 * PAGE, PROT_READ));
        assertEquals(PROT_READ, mm.findVma(a).prot());
        assertEquals(RW, mm.findVma(a + 2 * PAGE).prot());
        assertErrno(Errno.ENOMEM, mm.mprotect(a + PAGE, PAGE, PROT_READ));
        assertErrno(Errno.EINVAL, mm.mprotect(a + 1, PAGE, PROT_READ));
        assertErrno(Errno.EINVAL, mm.mprotect(a, PAGE, 0x10));
        assertErrno(Errno.EINVAL, mm.mprotect(a, PAGE, PROT_READ | Mman.PROT_GROWSDOWN));
        assertEquals(0, mm.mprotect(a, 0, PROT_READ));
    }

    // ---- copies ----

    @Test
    void copiesHonourProtectionsNotTheSentrysMapping() {
        long a = map(2 * PAGE, PROT_NONE);
        long r = map(PAGE, PROT_READ);
        long w = map(PAGE, PROT_WRITE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            assertFault(() -> mm.copyIn(a, buf, 16));
            assertFault(() -> mm.copyOut(a, buf, 16));
            assertFault(() -> mm.readByte(a + PAGE));
            assertFault(() -> mm.copyOut(r, buf, 16));
            mm.copyIn(r, buf, 16);
            mm.copyOut(w, buf, 16);
            mm.copyIn(w, buf, 16); // x86 has no write-only pages
            assertFault(() -> mm.copyIn(0x10000, buf, 16));
            assertFault(() -> mm.copyIn(-4096, buf, 16));
            assertFault(() -> mm.copyIn(Long.MAX_VALUE - 4, buf, 16));
        }
        assertEquals(0, mm.mprotect(a, PAGE, PROT_READ));
        assertEquals(0, mm.readLong(a));
    }

    @Test
    void copiesCrossVmaBoundaries() {
        long a = map(2 * PAGE, RW);
        assertEquals(0, mm.mprotect(a + PAGE, PAGE, PROT_READ | PROT_WRITE | Mman.PROT_EXEC));
        assertEquals(2, mm.vmas().size());
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i + 1);
        }
        long at = a + PAGE - 50;
        mm.writeBytes(at, data, 0, data.length);
        assertArrayEquals(data, mm.readBytes(at, data.length));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(100);
            mm.copyIn(at, seg, 100);
            assertArrayEquals(data, seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        mm.writeLong(a + PAGE - 4, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, mm.readLong(a + PAGE - 4));
        assertEquals(0x05060708, mm.readInt(a + PAGE - 4));
        assertEquals(0x04, mm.readByte(a + PAGE));
    }

    @Test
    void aCopyThatRunsIntoAHoleFaults() {
        long a = map(2 * PAGE, RW);
        mm.munmap(a + PAGE, PAGE);
        assertFault(() -> mm.readBytes(a + PAGE - 8, 16));
        assertFault(() -> mm.readLong(a + PAGE - 4));
        mm.writeLong(a + PAGE - 8, 99);
        assertFault(() -> mm.writeLong(a + PAGE - 4, -1));
        assertEquals(99, mm.readLong(a + PAGE - 8), "a faulting write changes nothing");
    }

    @Test
    void readCStringStopsAtNulAndReportsTooLongOrFault() {
        long a = map(2 * PAGE, RW);
        byte[] s = "hello".getBytes(StandardCharsets.UTF_8);
        mm.writeBytes(a + PAGE - 3, s, 0, s.length);
        assertEquals("hello", mm.readCString(a + PAGE - 3, 100));
        assertEquals("hello", mm.readCString(a + PAGE - 3, 5));
        assertThrows(ErrnoException.class, () -> mm.readCString(a + PAGE - 3, 4));
        assertEquals(Errno.ENAMETOOLONG,
                assertThrows(ErrnoException.class, () -> mm.readCString(a + PAGE - 3, 4)).errno());
        byte[] fill = new byte[(int) PAGE];
        Arrays.fill(fill, (byte) 'a');
        mm.writeBytes(a + PAGE, fill, 0, fill.length);
        assertFault(() -> mm.readCString(a + PAGE, 10000));
        assertEquals("", mm.readCString(a, 10));
    }

    @Test
    void ioHandsOutSlicesInOrderAndStopsAtAProtectionChange() {
        long a = map(3 * PAGE, RW);
        assertEquals(0, mm.mprotect(a + 2 * PAGE, PAGE, PROT_READ));
        assertEquals(0, mm.mprotect(a + PAGE, PAGE, PROT_READ | Mman.PROT_EXEC));
        int[] calls = {0};
        long n = mm.io(a + 10, 3 * PAGE - 10, true, seg -> {
            calls[0]++;
            seg.fill((byte) 1);
            return seg.byteSize();
        });
        assertEquals(PAGE - 10, n, "a read(2) into memory stops where PROT_WRITE ends");
        assertEquals(1, calls[0]);
        assertEquals(1, mm.readByte(a + 10));
        long r = mm.io(a, 3 * PAGE, false, seg -> seg.byteSize());
        assertEquals(3 * PAGE, r);
        assertErrno(Errno.EFAULT, mm.io(a + PAGE, 10, true, seg -> seg.byteSize()));
        assertEquals(5, mm.io(a, 100, false, seg -> 5), "a short transfer ends the call");
        assertErrno(Errno.EPIPE, mm.io(a, 100, false, seg -> Errno.EPIPE.ret()));
    }

    @Test
    void memoryUnmappedDuringIoIsFreedOnlyAfterIt() {
        long a = map(PAGE, RW);
        long n = mm.io(a, PAGE, true, seg -> {
            assertEquals(0, mm.munmap(a, PAGE));
            assertEquals(PAGE, file.allocated(), "still pinned by the running transfer");
            seg.fill((byte) 3);
            return seg.byteSize();
        });
        assertEquals(PAGE, n);
        assertEquals(0, file.allocated());
    }

    // ---- brk ----

    @Test
    void brkGrowsShrinksAndFailsLikeLinux() {
        long base = 0x555555600000L;
        mm.setBrkBase(base);
        assertEquals(base, mm.brk(0));
        assertEquals(base, mm.brk(base - PAGE), "below the start: unchanged");
        assertEquals(base + 100, mm.brk(base + 100));
        mm.writeLong(base, 5);
        assertEquals(base + 3 * PAGE + 1, mm.brk(base + 3 * PAGE + 1));
        assertEquals(0, mm.readLong(base + 3 * PAGE), "new heap is zero");
        assertEquals(5, mm.readLong(base));
        assertEquals("[heap]", mm.findVma(base).name());
        assertEquals(1, mm.vmas().size(), "heap extensions merge");
        assertEquals(base + 50, mm.brk(base + 50));
        assertNull(mm.findVma(base + PAGE), "shrinking unmaps");
        assertEquals(5, mm.readLong(base));
        // Something mapped just above the heap stops it growing into it.
        assertEquals(base + 4 * PAGE, mm.mmap(base + 4 * PAGE, PAGE, RW, ANON | MAP_FIXED, null, 0));
        assertEquals(base + 50, mm.brk(base + 4 * PAGE));
        assertEquals(base + 50, mm.brk(-1L));
        assertEquals(base + 2 * PAGE, mm.brk(base + 2 * PAGE));
        assertEquals(base + 50, mm.brk(base + 50));
    }

    // ---- mremap ----

    @Test
    void mremapGrowsInPlaceWhenThereIsRoom() {
        long a = map(2 * PAGE, RW);
        mm.munmap(a, 2 * PAGE);
        long b = mm.mmap(a, PAGE, RW, ANON | MAP_FIXED, null, 0);
        mm.writeLong(b, 77);
        assertEquals(b, mm.mremap(b, PAGE, 2 * PAGE, 0, 0));
        assertEquals(77, mm.readLong(b));
        assertEquals(0, mm.readLong(b + PAGE));
        mm.writeLong(b + PAGE, 1);
    }

    @Test
    void mremapMovesWhenBlockedAndKeepsContents() {
        long a = map(2 * PAGE, RW);
        mm.munmap(a + PAGE, PAGE);
        mm.mmap(a + PAGE, PAGE, PROT_READ, ANON | MAP_FIXED, null, 0);
        mm.writeLong(a + 8, 1234);
        assertErrno(Errno.ENOMEM, mm.mremap(a, PAGE, 3 * PAGE, 0, 0));
        long b = mm.mremap(a, PAGE, 3 * PAGE, Mman.MREMAP_MAYMOVE, 0);
        assertTrue(b > 0 && b != a);
        assertEquals(1234, mm.readLong(b + 8));
        assertEquals(0, mm.readLong(b + 2 * PAGE));
        assertFault(() -> mm.readLong(a + 8));
        mm.writeLong(b + 2 * PAGE, 9);
    }

    @Test
    void mremapTreatsAVmaGrownInPlaceAsOneMappingLikeLinux() {
        // realloc of a large block: grow in place (new memory-file range), then grow again with MAYMOVE.
        long a = map(4 * PAGE, RW);
        mm.munmap(a + PAGE, 3 * PAGE);
        long blocker = map(PAGE, RW); // takes the memory-file pages right after a's
        assertEquals(a, mm.mremap(a, PAGE, 2 * PAGE, 0, 0));
        mm.writeLong(a, 1);
        mm.writeLong(a + PAGE, 2);
        long b = mm.mremap(a, 2 * PAGE, 8 * PAGE, Mman.MREMAP_MAYMOVE, 0);
        assertTrue(b > 0, "mremap over a grown mapping failed: " + b);
        assertEquals(1, mm.readLong(b));
        assertEquals(2, mm.readLong(b + PAGE));
        assertEquals(0, mm.readLong(b + 7 * PAGE));
        assertNull(mm.findVma(a));
        assertTrue(mm.findVma(blocker) != null);
        assertTrue(mm.vmas().stream().filter(v -> v.start() >= b && v.end() <= b + 8 * PAGE).count() >= 2,
                "the moved pieces keep their own memory-file ranges");
        assertEquals(b, mm.mremap(b, 8 * PAGE, PAGE, 0, 0), "shrinking works across the pieces too");
    }

    @Test
    void mremapFixedMovesToTheGivenAddressReplacingIt() {
        long a = map(PAGE, RW);
        long t = map(2 * PAGE, PROT_READ);
        mm.writeLong(a, 55);
        assertEquals(t, mm.mremap(a, PAGE, PAGE, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, t));
        assertEquals(55, mm.readLong(t));
        assertEquals(PROT_READ, mm.findVma(t + PAGE).prot(), "only new_len bytes of the target are replaced");
        assertNull(mm.findVma(a));
    }

    @Test
    void mremapShrinksInPlaceAndRejectsBadArguments() {
        long a = map(3 * PAGE, RW);
        assertEquals(a, mm.mremap(a, 3 * PAGE, PAGE, 0, 0));
        assertNull(mm.findVma(a + PAGE));
        assertErrno(Errno.EFAULT, mm.mremap(a + PAGE, PAGE, PAGE, 0, 0));
        assertErrno(Errno.EFAULT, mm.mremap(a, 2 * PAGE, 3 * PAGE, 0, 0));
        assertErrno(Errno.EINVAL, mm.mremap(a, PAGE, 0, 0, 0));
        assertErrno(Errno.EINVAL, mm.mremap(a + 1, PAGE, PAGE, 0, 0));
        assertErrno(Errno.EINVAL, mm.mremap(a, PAGE, PAGE, 8, 0));
        assertErrno(Errno.EINVAL, mm.mremap(a, PAGE, 2 * PAGE, Mman.MREMAP_FIXED, 0x400000000L));
        assertErrno(Errno.EINVAL, mm.mremap(a, PAGE, 2 * PAGE, Mman.MREMAP_DONTUNMAP | Mman.MREMAP_MAYMOVE, 0));
        assertErrno(Errno.EINVAL, mm.mremap(a, PAGE, PAGE, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a));
    }

    @Test
    void mremapDontunmapLeavesTheOldRangeMappedAndEmpty() {
        long a = map(PAGE, RW);
        mm.writeLong(a, 31);
        long b = mm.mremap(a, PAGE, PAGE, Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP, 0);
        assertTrue(b > 0 && b != a);
        assertEquals(31, mm.readLong(b));
        assertEquals(0, mm.readLong(a));
    }

    // ---- madvise ----

    @Test
    void madvDontneedZeroesPrivateAnonymousMemoryButNotSharedMemory() {
        long a = map(2 * PAGE, RW);
        long s = mm.mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        mm.writeLong(a, 1);
        mm.writeLong(a + PAGE, 2);
        mm.writeLong(s, 3);
        assertEquals(0, mm.madvise(a, PAGE, Mman.MADV_DONTNEED));
        assertEquals(0, mm.readLong(a));
        assertEquals(2, mm.readLong(a + PAGE));
        assertEquals(0, mm.madvise(s, PAGE, Mman.MADV_DONTNEED));
        assertEquals(3, mm.readLong(s), "shared memory keeps its contents");
        assertEquals(0, mm.madvise(s, PAGE, Mman.MADV_REMOVE));
        assertEquals(0, mm.readLong(s), "MADV_REMOVE frees shared memory");
        assertErrno(Errno.EINVAL, mm.madvise(a, PAGE, Mman.MADV_REMOVE));
        assertErrno(Errno.EINVAL, mm.madvise(s, PAGE, Mman.MADV_FREE));
    }

    @Test
    void madvDontneedOnAPrivateFileMappingRestoresTheFile() throws Exception {
        byte[] content = new byte[PAGE_INT];
        Arrays.fill(content, (byte) 'f');
        try (HostFile f = HostFile.of(tmp, content)) {
            long a = mm.mmap(0, PAGE, RW, MAP_PRIVATE, f, 0);
            mm.writeLong(a, 0);
            assertEquals(0, mm.madvise(a, PAGE, Mman.MADV_DONTNEED));
            assertEquals('f', mm.readByte(a));
        }
    }

    @Test
    void madviseValidatesLikeLinux() {
        long a = map(3 * PAGE, RW);
        mm.munmap(a + PAGE, PAGE);
        assertErrno(Errno.EINVAL, mm.madvise(a, PAGE, 99));
        assertErrno(Errno.EINVAL, mm.madvise(a, 0, 99));
        assertErrno(Errno.EINVAL, mm.madvise(a + 1, 1, Mman.MADV_NORMAL));
        assertErrno(Errno.EINVAL, mm.madvise(a, -1L, Mman.MADV_NORMAL));
        assertEquals(0, mm.madvise(a, 0, Mman.MADV_NORMAL));
        assertErrno(Errno.ENOMEM, mm.madvise(a + PAGE, PAGE, Mman.MADV_NORMAL));
        mm.writeLong(a + 2 * PAGE, 8);
        assertErrno(Errno.ENOMEM, mm.madvise(a, 3 * PAGE, Mman.MADV_DONTNEED));
        assertEquals(0, mm.readLong(a + 2 * PAGE), "the mapped parts were still dropped");
        assertErrno(Errno.EINVAL, mm.madvise(a, PAGE, 100)); // MADV_HWPOISON
    }

    @Test
    void releaseAllUnmapsEverything() {
        map(PAGE, RW);
        map(PAGE, PROT_NONE);
        mm.releaseAll();
        assertTrue(mm.vmas().isEmpty());
        assertEquals(0, file.allocated());
    }
}
