package dev.jvisor.sentry.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Mman;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random mmap/munmap/mprotect/madvise sequences checked page by page against a trivial model of Linux's
 * semantics: which pages are mapped, with which protection, holding which value; and that the memory file holds
 * exactly the mapped pages, no more (no leak through splits and merges) and no less.
 */
class MemoryManagerModelTest {
    private static final long PAGE = 4096;
    private static final int PAGES = 48;
    private static final long BASE = 0x10_0000_0000L;
    private static final int[] PROTS = {Mman.PROT_NONE, Mman.PROT_READ, Mman.PROT_READ | Mman.PROT_WRITE,
        Mman.PROT_READ | Mman.PROT_EXEC};

    @Test
    void randomOperationsMatchThePageModel() {
        for (long seed = 1; seed <= 20; seed++) {
            run(seed, 400);
        }
    }

    private void run(long seed, int steps) {
        Random r = new Random(seed);
        int[] prot = new int[PAGES];
        long[] value = new long[PAGES];
        Arrays.fill(prot, -1);
        try (MemoryFile file = new MemoryFile(1L << 30, 1L << 30)) {
            RecordingAddressSpace as = new RecordingAddressSpace();
            MemoryManager mm = new MemoryManager(file, as);
            for (int step = 0; step < steps; step++) {
                int i = r.nextInt(PAGES);
                int n = 1 + r.nextInt(Math.min(8, PAGES - i));
                long addr = BASE + i * PAGE;
                int p = PROTS[r.nextInt(PROTS.length)];
                String what = "seed " + seed + " step " + step;
                switch (r.nextInt(5)) {
                    case 0 -> {
                        assertEquals(addr, mm.mmap(addr, n * PAGE, p,
                                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0), what);
                        for (int k = i; k < i + n; k++) {
                            prot[k] = p;
                            value[k] = 0;
                        }
                    }
                    case 1 -> {
                        assertEquals(0, mm.munmap(addr, n * PAGE), what);
                        Arrays.fill(prot, i, i + n, -1);
                    }
                    case 2 -> {
                        long expect = 0;
                        if (prot[i] < 0) {
                            expect = Errno.ENOMEM.ret();
                        } else {
                            for (int k = i; k < i + n; k++) {
                                if (prot[k] < 0) {
                                    expect = Errno.ENOMEM.ret();
                                    break;
                                }
                                prot[k] = p;
                            }
                        }
                        assertEquals(expect, mm.mprotect(addr, n * PAGE, p), what);
                    }
                    case 3 -> {
                        boolean any = false;
                        boolean hole = false;
                        for (int k = i; k < i + n; k++) {
                            if (prot[k] >= 0) {
                                any = true;
                                value[k] = 0;
                            } else {
                                hole = true;
                            }
                        }
                        long ret = mm.madvise(addr, n * PAGE, Mman.MADV_DONTNEED);
                        if (!any) {
                            assertEquals(Errno.ENOMEM.ret(), ret, what);
                        } else {
                            assertEquals(hole ? Errno.ENOMEM.ret() : 0, ret, what);
                        }
                    }
                    default -> {
                        long v = r.nextLong();
                        if (prot[i] >= 0 && (prot[i] & Mman.PROT_WRITE) != 0) {
                            mm.writeLong(addr, v);
                            value[i] = v;
                        } else {
                            ErrnoException e = assertThrows(ErrnoException.class, () -> mm.writeLong(addr, v), what);
                            assertEquals(Errno.EFAULT, e.errno());
                        }
                    }
                }
                check(mm, as, file, prot, value, what);
            }
            mm.releaseAll();
            assertEquals(0, file.allocated());
        }
    }

    private static void check(MemoryManager mm, RecordingAddressSpace as, MemoryFile file, int[] prot, long[] value,
            String what) {
        int mapped = 0;
        for (int k = 0; k < PAGES; k++) {
            long addr = BASE + k * PAGE;
            Vma v = mm.findVma(addr);
            if (prot[k] < 0) {
                assertNull(v, what + " page " + k);
                continue;
            }
            mapped++;
            assertNotNull(v, what + " page " + k);
            assertEquals(prot[k], v.prot(), what + " page " + k);
            if (prot[k] != Mman.PROT_NONE) {
                assertEquals(value[k], mm.readLong(addr), what + " page " + k);
            } else {
                assertThrows(ErrnoException.class, () -> mm.readLong(addr), what + " page " + k);
            }
        }
        assertEquals(mapped * PAGE, file.allocated(), what + ": memory-file pages in use");
        as.assertMirrors(mm);
        Vma prev = null;
        for (Vma v : mm.vmas()) {
            if (prev != null) {
                assertEquals(false, prev.canMerge(v), what + ": unmerged neighbours " + prev + " " + v);
            }
            prev = v;
        }
    }
}
