package dev.jvisor.sentry.mm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.FaultInfo;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A workload address space: its VMAs, brk, and copies between workload memory and the sentry that honour each
 * VMA's protection. Every page of workload memory lives in the {@link MemoryFile}; the {@link AddressSpace}
 * mirrors the VMAs into the platform's host process.
 *
 * <p>The model is eager: mmap allocates a contiguous memory-file range for the new VMA (sparse, so untouched
 * pages cost nothing) and maps it into the address space at once, so the workload never faults on a page that a
 * VMA covers, except two kinds the sentry resolves in {@link #handleFault}: a write to a copy-on-write page
 * after fork (copied, then retried), and an access to a file mapping's page wholly past the file's end
 * (SIGBUS). Each allocated memory-file page belongs to one VMA page, or to several address spaces' after fork
 * (counted in {@link SharedPages}); it is freed when its last owner unmaps it. A private file mapping holds a
 * copy of the file's bytes made at mmap time.
 *
 * <p>Locking: every method takes this manager's lock (see package-info). Zero-copy {@link #io} drops it while
 * its callback runs; memory freed meanwhile is held back until no callback is running, so a callback never
 * writes into memory that was handed to someone else.
 */
public final class MemoryManager {
    /** Transfers bytes between a piece of workload memory (a slice of the memory file's sentry mapping) and
     *  something else. Returns bytes done ({@code <= seg.byteSize()}) or {@code -errno}. */
    @FunctionalInterface
    public interface SegmentIo {
        long apply(MemorySegment seg);
    }

    /** Lowest address a mapping may use (vm.mmap_min_addr as most distributions set it). */
    public static final long MMAP_MIN_ADDR = 0x10000;
    /** Most VMAs per address space (vm.max_map_count). */
    public static final int MAX_MAP_COUNT = 65530;
    /** Gap kept free below a grows-down (stack) VMA when choosing an address (stack_guard_gap). */
    public static final long STACK_GUARD_GAP = 256 * Mman.PAGE_SIZE;
    /** Space left below {@code maxUserAddress} for the stack and its random offset before mmap's base. */
    public static final long STACK_AREA = 1L << 30;

    private static final long MAP_32BIT_LOW = 0x40000000L;
    private static final long MAP_32BIT_HIGH = 0x80000000L;
    private static final int MAP_DROPPABLE = 0x08;
    private static final int MAP_SYNC = 0x80000;
    private static final int PROT_SEM = 0x8;
    /** Flags MAP_SHARED_VALIDATE accepts (the kernel's LEGACY_MAP_MASK plus MAP_FIXED_NOREPLACE). */
    private static final int MAP_VALIDATE_KNOWN = Mman.MAP_TYPE | Mman.MAP_FIXED | Mman.MAP_ANONYMOUS
            | Mman.MAP_32BIT | Mman.MAP_GROWSDOWN | Mman.MAP_DENYWRITE | Mman.MAP_EXECUTABLE | Mman.MAP_LOCKED
            | Mman.MAP_NORESERVE | Mman.MAP_POPULATE | Mman.MAP_NONBLOCK | Mman.MAP_STACK | Mman.MAP_HUGETLB
            | Mman.MAP_FIXED_NOREPLACE | (0x3f << 26) /* MAP_HUGE_MASK */ | 0x4000000 /* MAP_UNINITIALIZED */;

    /** Bytes a copy-on-write fault copies at once: the aligned block around the faulting address. */
    private static final long COW_BLOCK = Long.getLong("jvisor.mm.cowBlock", 16) * Mman.PAGE_SIZE;
    /** The page-fault error code's write bit. */
    private static final long PF_WRITE = 2;

    /**
     * How fork copies private memory: copy-on-write (the default), or eagerly when the system property
     * {@code jvisor.mm.eagerFork} is true (kept to measure the two against each other).
     */
    public static final boolean EAGER_FORK = Boolean.getBoolean("jvisor.mm.eagerFork");

    private static final int MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19, MADV_POPULATE_READ = 22,
            MADV_POPULATE_WRITE = 23, MADV_DONTNEED_LOCKED = 24, MADV_COLLAPSE = 25;

    private final MemoryFile file;
    private final MemorySegment mem;
    private final AddressSpace as;
    private final long maxAddr;
    private final Object lock = new Object();
    /** Tasks sharing this address space; the last {@link #release} frees it. */
    private final AtomicInteger users = new AtomicInteger(1);
    private static final VarHandle INT_HANDLE = java.lang.foreign.ValueLayout.JAVA_INT.varHandle();

    // guarded by lock: VMAs by start address, never overlapping
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    // guarded by lock: the VMA found last (copies hit the same one again and again); null after any change
    private Vma lastVma;
    // guarded by lock: the VMAs' starts and the VMAs as sorted arrays, so lookups allocate nothing (a TreeMap
    // lookup boxes its key); rebuilt on the first lookup after a change
    private long[] indexStarts = new long[16];
    private Vma[] indexVmas = new Vma[16];
    private int indexSize;
    private boolean indexStale;
    // guarded by lock
    private long brkStart, brk;
    // guarded by lock: top-down placement starts below this
    private long mmapBase;
    // written under lock, read by any thread: bumped whenever host mappings may lose PROT_WRITE (fork, mprotect)
    private volatile long protectionGeneration;
    // guarded by lock: io() callbacks running, and memory-file ranges whose freeing waits for them
    private int pins;
    private long[] pendingFree = new long[8];
    private int pendingCount;
    // guarded by lock: memory-file ranges io() callbacks are writing now (start, end pairs): fork must not share
    // them copy-on-write, or a later copy-on-write break would leave the callback writing the other side's page
    private long[] writePins = new long[8];
    private int writePinCount;

    public MemoryManager(MemoryFile file, AddressSpace as) {
        this.file = file;
        this.mem = file.segment();
        this.as = as;
        this.maxAddr = Mman.pageDown(as.maxUserAddress());
        this.mmapBase = Math.max(MMAP_MIN_ADDR, maxAddr - STACK_AREA);
    }

    public MemoryFile file() {
        return file;
    }

    public AddressSpace addressSpace() {
        return as;
    }

    /** The highest address (exclusive) a mapping may reach: the platform's maxUserAddress, page aligned. */
    public long maxUserAddress() {
        return maxAddr;
    }

    // ---- copies: throw Errno.EFAULT.exception() when any byte is unmapped or lacks the needed protection ----

    /** Copies {@code len} bytes of workload memory at {@code addr} into {@code dst} (needs PROT_READ). */
    public void copyIn(long addr, MemorySegment dst, long len) {
        checkUserRange(addr, len);
        synchronized (lock) {
            long done = 0;
            while (done < len) {
                long a = addr + done;
                Vma v = accessible(a, false);
                long n = Math.min(len - done, v.end() - a);
                MemorySegment.copy(mem, v.backingOf(a), dst, done, n);
                done += n;
            }
        }
    }

    /** Copies {@code len} bytes of {@code src} to workload memory at {@code addr} (needs PROT_WRITE). */
    public void copyOut(long addr, MemorySegment src, long len) {
        checkUserRange(addr, len);
        synchronized (lock) {
            long done = 0;
            while (done < len) {
                long a = addr + done;
                Vma v = writableAt(a, len - done);
                long n = Math.min(len - done, v.end() - a);
                MemorySegment.copy(src, done, mem, v.backingOf(a), n);
                done += n;
            }
        }
    }

    /** Writes {@code len} zero bytes at {@code addr} (needs PROT_WRITE). */
    public void zero(long addr, long len) {
        checkUserRange(addr, len);
        synchronized (lock) {
            long done = 0;
            while (done < len) {
                long a = addr + done;
                Vma v = writableAt(a, len - done);
                long n = Math.min(len - done, v.end() - a);
                mem.asSlice(v.backingOf(a), n).fill((byte) 0);
                done += n;
            }
        }
    }

    public byte readByte(long addr) {
        checkUserRange(addr, 1);
        synchronized (lock) {
            Vma v = accessible(addr, false);
            return mem.get(JAVA_BYTE, v.backingOf(addr));
        }
    }

    public int readInt(long addr) {
        checkUserRange(addr, 4);
        synchronized (lock) {
            Vma v = accessible(addr, false);
            if (addr + 4 <= v.end()) {
                return mem.get(JAVA_INT_UNALIGNED, v.backingOf(addr));
            }
            return (int) readStraddling(addr, 4);
        }
    }

    public long readLong(long addr) {
        checkUserRange(addr, 8);
        synchronized (lock) {
            Vma v = accessible(addr, false);
            if (addr + 8 <= v.end()) {
                return mem.get(JAVA_LONG_UNALIGNED, v.backingOf(addr));
            }
            return readStraddling(addr, 8);
        }
    }

    public void writeInt(long addr, int value) {
        checkUserRange(addr, 4);
        synchronized (lock) {
            Vma v = writableAt(addr, 4);
            if (addr + 4 <= v.end()) {
                mem.set(JAVA_INT_UNALIGNED, v.backingOf(addr), value);
            } else {
                writeStraddling(addr, value, 4);
            }
        }
    }

    public void writeLong(long addr, long value) {
        checkUserRange(addr, 8);
        synchronized (lock) {
            Vma v = writableAt(addr, 8);
            if (addr + 8 <= v.end()) {
                mem.set(JAVA_LONG_UNALIGNED, v.backingOf(addr), value);
            } else {
                writeStraddling(addr, value, 8);
            }
        }
    }

    public byte[] readBytes(long addr, int len) {
        if (len < 0) {
            throw Errno.EFAULT.exception();
        }
        checkUserRange(addr, len);
        byte[] b = new byte[len];
        synchronized (lock) {
            int done = 0;
            while (done < len) {
                long a = addr + done;
                Vma v = accessible(a, false);
                int n = (int) Math.min(len - done, v.end() - a);
                MemorySegment.copy(mem, JAVA_BYTE, v.backingOf(a), b, done, n);
                done += n;
            }
        }
        return b;
    }

    public void writeBytes(long addr, byte[] b, int off, int len) {
        if (len < 0 || off < 0 || off > b.length - len) {
            throw new IndexOutOfBoundsException("writeBytes " + off + "+" + len + " of " + b.length);
        }
        checkUserRange(addr, len);
        synchronized (lock) {
            int done = 0;
            while (done < len) {
                long a = addr + done;
                Vma v = writableAt(a, len - done);
                int n = (int) Math.min(len - done, v.end() - a);
                MemorySegment.copy(b, off + done, mem, JAVA_BYTE, v.backingOf(a), n);
                done += n;
            }
        }
    }

    /**
     * A NUL-terminated string of at most {@code max} bytes before the NUL; EFAULT, or ENAMETOOLONG if none.
     * Bytes are decoded as UTF-8. Only the bytes up to the NUL need to be readable.
     */
    public String readCString(long addr, int max) {
        byte[] b = readBytesUntilNul(addr, max + 1);
        if (b.length > max) {
            throw Errno.ENAMETOOLONG.exception();
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * The bytes at {@code addr} before the first NUL, reading at most {@code max} bytes (as strncpy_from_user):
     * a result of {@code max} bytes means no NUL came within them. EFAULT when a byte before that is unreadable.
     */
    public byte[] readBytesUntilNul(long addr, int max) {
        if (addr < 0 || max < 0) {
            throw Errno.EFAULT.exception();
        }
        byte[] buf = new byte[Math.min(max, 256)];
        int len = 0;
        synchronized (lock) {
            while (len < max) {
                long a = addr + len;
                if (a < 0) {
                    throw Errno.EFAULT.exception();
                }
                Vma v = accessible(a, false);
                long off = v.backingOf(a);
                long n = Math.min((long) max - len, v.end() - a);
                for (long i = 0; i < n; i++) {
                    byte c = mem.get(JAVA_BYTE, off + i);
                    if (c == 0) {
                        return Arrays.copyOf(buf, len);
                    }
                    if (len == buf.length) {
                        buf = Arrays.copyOf(buf, (int) Math.min(max, 2L * buf.length));
                    }
                    buf[len++] = c;
                }
            }
        }
        return Arrays.copyOf(buf, len);
    }

    /**
     * Zero-copy I/O: calls {@code io} on each contiguous piece of {@code [addr, addr+len)} in order, as a slice of
     * the memory file's sentry mapping, after checking PROT_WRITE ({@code forWrite}: the workload memory is
     * written, as by read(2)) or PROT_READ. Stops at a short transfer or an error. Returns the total done; if
     * nothing was done, the first error ({@code -EFAULT} for a bad first page).
     *
     * <p>The manager's lock is not held while {@code io} runs, so it may block (a read from a pipe).
     */
    public long io(long addr, long len, boolean forWrite, SegmentIo io) {
        if (len < 0 || addr < 0 || addr + len < addr) {
            return Errno.EFAULT.ret();
        }
        long done = 0;
        while (done < len) {
            long a = addr + done;
            long off;
            long n;
            synchronized (lock) {
                Vma v = find(a);
                if (v == null || v.beyondEof() || !(forWrite ? v.writable() : v.readable())) {
                    return done > 0 ? done : Errno.EFAULT.ret();
                }
                if (forWrite && v.cow()) {
                    v = unshare(v, a, a + (len - done));
                    if (v == null) {
                        return done > 0 ? done : Errno.EFAULT.ret();
                    }
                }
                off = v.backingOf(a);
                n = Math.min(len - done, v.end() - a);
                pins++;
                if (forWrite) {
                    addWritePin(off, off + n);
                }
            }
            long r;
            try {
                r = io.apply(mem.asSlice(off, n));
            } finally {
                synchronized (lock) {
                    if (forWrite) {
                        removeWritePin(off, off + n);
                    }
                    if (--pins == 0) {
                        flushPendingFrees();
                    }
                }
            }
            if (r < 0) {
                return done > 0 ? done : r;
            }
            done += r;
            if (r < n) {
                break;
            }
        }
        return done;
    }

    // ---- syscalls' backends: return the result or -errno, as Linux does ----

    /** brk(2): returns the new break, or the old one if the request cannot be met. */
    public long brk(long addr) {
        synchronized (lock) {
            if (brkStart == 0 || Long.compareUnsigned(addr, brkStart) < 0
                    || Long.compareUnsigned(addr, maxAddr) > 0) {
                return brk;
            }
            long newEnd = Mman.pageUp(addr);
            long oldEnd = Mman.pageUp(brk);
            if (newEnd == oldEnd) {
                brk = addr;
                return brk;
            }
            if (newEnd < oldEnd) {
                removeRange(newEnd, oldEnd, true);
                brk = addr;
                return brk;
            }
            // Like Linux, keep a page of gap below whatever lies above the heap.
            if (newEnd + Mman.PAGE_SIZE > maxAddr || intersects(oldEnd, newEnd + Mman.PAGE_SIZE)
                    || vmas.size() >= MAX_MAP_COUNT) {
                return brk;
            }
            Vma below = find(oldEnd - 1);
            long backing = allocateAfter(below, newEnd - oldEnd);
            if (backing < 0) {
                return brk;
            }
            Vma v = new Vma(oldEnd, newEnd, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS,
                    backing, null, 0, "[heap]");
            if (mapNew(v) < 0) {
                return brk;
            }
            brk = addr;
            return brk;
        }
    }

    /** mmap(2): anonymous, or a private/shared mapping of {@code file} (may be null for anonymous). */
    public long mmap(long addr, long len, int prot, int flags, FileDescription file, long offset) {
        return mmap(addr, len, prot, flags, file, offset, Long.MAX_VALUE, "");
    }

    /**
     * mmap(2) with two extras for the loader and the kernel: only the first {@code fileBytes} bytes of the
     * mapping come from {@code src} (the rest of the range reads as zero, as an ELF segment's tail past
     * p_filesz must), and {@code name} is what /proc/self/maps shows ("[stack]", the file's path).
     */
    public long mmap(long addr, long len, int prot, int flags, FileDescription src, long offset, long fileBytes,
            String name) {
        boolean anon = (flags & Mman.MAP_ANONYMOUS) != 0;
        if ((offset & ~Mman.PAGE_MASK) != 0) {
            return Errno.EINVAL.ret();
        }
        if (!anon && src == null) {
            return Errno.EBADF.ret();
        }
        if ((flags & Mman.MAP_HUGETLB) != 0) {
            // No huge pages in the sandbox: Linux says ENOMEM for anonymous ones when none are reserved.
            return anon ? Errno.ENOMEM.ret() : Errno.EINVAL.ret();
        }
        if (len == 0) {
            return Errno.EINVAL.ret();
        }
        boolean fixed = (flags & (Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE)) != 0;
        if (!fixed) {
            addr &= Mman.PAGE_MASK;
            if (addr != 0 && Long.compareUnsigned(addr, MMAP_MIN_ADDR) < 0) {
                addr = MMAP_MIN_ADDR;
            }
        }
        long alen = Mman.pageUp(len);
        if (alen <= 0 || alen > maxAddr) {
            return Errno.ENOMEM.ret();
        }
        if (!anon && offset + alen < 0) {
            return Errno.EOVERFLOW.ret();
        }
        if (fixed) {
            if (Long.compareUnsigned(addr, maxAddr - alen) > 0) {
                return Errno.ENOMEM.ret();
            }
            if ((addr & ~Mman.PAGE_MASK) != 0) {
                return Errno.EINVAL.ret();
            }
            if (addr < MMAP_MIN_ADDR) {
                return Errno.EPERM.ret();
            }
        }
        int type = flags & Mman.MAP_TYPE;
        int vmaType;
        if (anon) {
            if (type == Mman.MAP_SHARED) {
                if ((flags & Mman.MAP_GROWSDOWN) != 0) {
                    return Errno.EINVAL.ret();
                }
                vmaType = Mman.MAP_SHARED;
            } else if (type == Mman.MAP_PRIVATE || type == MAP_DROPPABLE) {
                // Droppable memory may lose its contents under pressure; never losing them is allowed.
                vmaType = Mman.MAP_PRIVATE;
            } else {
                return Errno.EINVAL.ret();
            }
            src = null;
            offset = 0;
        } else if (type == Mman.MAP_SHARED || type == Mman.MAP_PRIVATE) {
            vmaType = type;
        } else if (type == Mman.MAP_SHARED_VALIDATE) {
            if ((flags & ~MAP_VALIDATE_KNOWN) != 0 || (flags & MAP_SYNC) != 0) {
                return Errno.EOPNOTSUPP.ret();
            }
            vmaType = Mman.MAP_SHARED;
        } else {
            return Errno.EINVAL.ret();
        }
        int vmaFlags = vmaType | (flags & (Mman.MAP_ANONYMOUS | Mman.MAP_GROWSDOWN));

        // Allocate and fill outside the lock: reading the file may take a while.
        long backing = file.allocate(alen);
        if (backing < 0) {
            return backing;
        }
        if (src != null) {
            long r = copyFromFile(src, offset, backing, Math.min(alen, Math.max(fileBytes, 0)));
            if (r < 0) {
                file.free(backing, alen);
                return r;
            }
        }
        synchronized (lock) {
            long err = 0;
            if (vmas.size() >= MAX_MAP_COUNT) {
                err = Errno.ENOMEM.ret();
            } else if (fixed) {
                if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0 && intersects(addr, addr + alen)) {
                    err = Errno.EEXIST.ret();
                } else {
                    // The new mapping replaces the old one in the address space; no unmap needed first.
                    removeRange(addr, addr + alen, false);
                }
            } else {
                addr = chooseAddress(addr, alen, (flags & Mman.MAP_32BIT) != 0);
                if (addr < 0) {
                    err = Errno.ENOMEM.ret();
                }
            }
            if (err == 0) {
                Vma v = new Vma(addr, addr + alen, prot & 7, vmaFlags, backing, src, offset,
                        name == null ? "" : name);
                err = mapNewFile(v, fileBytes == Long.MAX_VALUE);
                if (err < 0 && fixed) {
                    as.unmap(addr, alen);
                }
                return err < 0 ? err : addr;
            }
            releaseBacking(backing, alen);
            return err;
        }
    }

    /** munmap(2). Unmapping a range with nothing mapped succeeds. */
    public long munmap(long addr, long len) {
        if ((addr & ~Mman.PAGE_MASK) != 0 || Long.compareUnsigned(addr, maxAddr) > 0
                || Long.compareUnsigned(len, maxAddr - addr) > 0) {
            return Errno.EINVAL.ret();
        }
        long alen = Mman.pageUp(len);
        if (alen <= 0) {
            return Errno.EINVAL.ret();
        }
        synchronized (lock) {
            removeRange(addr, addr + alen, true);
        }
        return 0;
    }

    /**
     * mprotect(2). As in Linux, a hole in the range gives ENOMEM after the VMAs before it have been changed.
     * PROT_GROWSDOWN extends the change down to the start of a grows-down VMA.
     */
    public long mprotect(long addr, long len, int prot) {
        if ((addr & ~Mman.PAGE_MASK) != 0) {
            return Errno.EINVAL.ret();
        }
        if (len == 0) {
            return 0;
        }
        long alen = Mman.pageUp(len);
        long end = addr + alen;
        if (alen <= 0 || Long.compareUnsigned(end, addr) <= 0) {
            return Errno.ENOMEM.ret();
        }
        int grows = prot & (Mman.PROT_GROWSDOWN | Mman.PROT_GROWSUP);
        prot &= ~grows;
        if (grows == (Mman.PROT_GROWSDOWN | Mman.PROT_GROWSUP)
                || (prot & ~(Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC | PROT_SEM)) != 0) {
            return Errno.EINVAL.ret();
        }
        int newProt = prot & 7;
        synchronized (lock) {
            protectionGeneration++;
            Vma first = firstIntersecting(addr, end);
            if (first == null) {
                return Errno.ENOMEM.ret();
            }
            long start = addr;
            if (grows == Mman.PROT_GROWSDOWN) {
                if (!first.growsDown()) {
                    return Errno.EINVAL.ret();
                }
                start = first.start();
            } else if (grows == Mman.PROT_GROWSUP) {
                return Errno.EINVAL.ret(); // x86 has no grows-up VMAs
            } else if (first.start() > addr) {
                return Errno.ENOMEM.ret();
            }
            splitAt(start);
            splitAt(end);
            long result = 0;
            long a = start;
            while (a < end) {
                Vma cur = vmas.get(a);
                if (cur == null) {
                    result = Errno.ENOMEM.ret();
                    break;
                }
                if (cur.prot() != newProt) {
                    vmas.put(a, cur.withProt(newProt));
                    changed();
                    int r = cur.beyondEof() ? 0 : as.protect(cur.start(), cur.length(),
                            cur.withProt(newProt).hostProt());
                    if (r < 0) {
                        result = r;
                        break;
                    }
                }
                a = cur.end();
            }
            changed();
            mergeAround(start, end);
            return result;
        }
    }

    /** mremap(2): shrink, grow in place, or (MREMAP_MAYMOVE) move the pages without copying them. */
    public long mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0
                || (oldAddr & ~Mman.PAGE_MASK) != 0) {
            return Errno.EINVAL.ret();
        }
        boolean mayMove = (flags & Mman.MREMAP_MAYMOVE) != 0;
        boolean fixed = (flags & Mman.MREMAP_FIXED) != 0;
        boolean dontUnmap = (flags & Mman.MREMAP_DONTUNMAP) != 0;
        if ((fixed || dontUnmap) && !mayMove) {
            return Errno.EINVAL.ret();
        }
        if (dontUnmap && oldLen != newLen) {
            return Errno.EINVAL.ret();
        }
        oldLen = Mman.pageUp(oldLen);
        newLen = Mman.pageUp(newLen);
        if (newLen <= 0 || oldLen < 0) {
            return Errno.EINVAL.ret();
        }
        if (fixed) {
            if ((newAddr & ~Mman.PAGE_MASK) != 0 || newLen > maxAddr
                    || Long.compareUnsigned(newAddr, maxAddr - newLen) > 0
                    || (oldAddr + oldLen > newAddr && newAddr + newLen > oldAddr)) {
                return Errno.EINVAL.ret();
            }
            if (newAddr < MMAP_MIN_ADDR) {
                return Errno.EPERM.ret();
            }
        }
        synchronized (lock) {
            Vma vma = find(oldAddr);
            if (vma == null) {
                return Errno.EFAULT.ret();
            }
            // Where Linux would have one VMA we may have several that continue each other (their memory-file
            // ranges are not adjacent); the old range may span them, but nothing else.
            Vma last = vma;
            for (Vma next; (next = vmas.get(last.end())) != null && last.continues(next); ) {
                last = next;
            }
            long logicalEnd = last.end();
            if (oldLen > logicalEnd - oldAddr) {
                return Errno.EFAULT.ret();
            }
            if (oldLen == 0) {
                // Linux duplicates a shared mapping here; we cannot share pages between two VMAs yet.
                return Errno.EINVAL.ret();
            }
            if (dontUnmap && vma.shared()) {
                return Errno.EINVAL.ret(); // the old range would have to keep sharing the pages
            }
            if (fixed) {
                removeRange(newAddr, newAddr + newLen, true);
                if (oldLen > newLen) {
                    removeRange(oldAddr + newLen, oldAddr + oldLen, true);
                    oldLen = newLen;
                }
                return move(oldAddr, oldLen, newAddr, newLen, dontUnmap);
            }
            if (oldLen >= newLen && !dontUnmap) {
                if (oldLen > newLen) {
                    removeRange(oldAddr + newLen, oldAddr + oldLen, true);
                }
                return oldAddr;
            }
            long oldEnd = oldAddr + oldLen;
            if (oldEnd == logicalEnd && !dontUnmap && newLen - oldLen <= maxAddr - oldEnd
                    && !intersects(oldEnd, oldAddr + newLen)) {
                long r = extend(last, oldEnd, newLen - oldLen);
                return r < 0 ? r : oldAddr;
            }
            if (!mayMove) {
                return Errno.ENOMEM.ret();
            }
            long to = chooseAddress(0, newLen, false);
            if (to < 0) {
                return Errno.ENOMEM.ret();
            }
            return move(oldAddr, oldLen, to, newLen, dontUnmap);
        }
    }

    /**
     * madvise(2). MADV_DONTNEED (and MADV_FREE) drop private pages by punching holes in the memory file: they
     * read back as zero, or as the file's bytes for a private file mapping. MADV_REMOVE zeroes shared anonymous
     * memory. Other valid advice is accepted as a hint. Holes in the range give ENOMEM after the rest is done.
     */
    public long madvise(long addr, long len, int advice) {
        if (!validAdvice(advice) || (addr & ~Mman.PAGE_MASK) != 0) {
            return Errno.EINVAL.ret();
        }
        long alen = Mman.pageUp(len);
        if (len != 0 && alen <= 0) {
            return Errno.EINVAL.ret();
        }
        long end = addr + alen;
        if (Long.compareUnsigned(end, addr) < 0) {
            return Errno.EINVAL.ret();
        }
        if (end == addr) {
            return 0;
        }
        synchronized (lock) {
            long unmapped = 0;
            long a = addr;
            while (a < end) {
                Vma v = find(a);
                if (v == null) {
                    Map.Entry<Long, Vma> next = vmas.higherEntry(a);
                    if (next == null || next.getKey() >= end) {
                        return Errno.ENOMEM.ret();
                    }
                    unmapped = Errno.ENOMEM.ret();
                    a = next.getKey();
                    continue;
                }
                long pieceEnd = Math.min(v.end(), end);
                long r = advise(v, a, pieceEnd, advice);
                if (r < 0) {
                    return r;
                }
                a = pieceEnd;
            }
            return unmapped;
        }
    }

    /**
     * A counter that changes whenever a host mapping of this address space may lose PROT_WRITE (fork makes
     * pages copy-on-write, mprotect). A task whose fault {@link #handleFault} resolved and that faults at the
     * same address again with the same generation has a real fault (an instruction fetch from a page the
     * platform could not tell from a write, say), not a copy-on-write one. Any thread, no lock.
     */
    public long protectionGeneration() {
        return protectionGeneration;
    }

    /** Sets the initial brk just past the loaded image (called by the loader). */
    public void setBrkBase(long base) {
        synchronized (lock) {
            brkStart = Mman.pageUp(base);
            brk = brkStart;
        }
    }

    /** The current program break (what brk(0) returns). */
    public long currentBrk() {
        synchronized (lock) {
            return brk;
        }
    }

    /** Where top-down placement of mappings without a usable hint starts (Linux's mmap_base). */
    public long mmapBase() {
        synchronized (lock) {
            return mmapBase;
        }
    }

    /** Sets mmap_base (the loader does, just below the stack area). */
    public void setMmapBase(long base) {
        synchronized (lock) {
            mmapBase = Math.max(MMAP_MIN_ADDR, Math.min(Mman.pageDown(base), maxAddr));
        }
    }

    /** A snapshot of the VMAs in address order (/proc/self/maps, tests). */
    public List<Vma> vmas() {
        synchronized (lock) {
            return new ArrayList<>(vmas.values());
        }
    }

    /**
     * The mappings as Linux would list them (/proc/self/maps): neighbouring VMAs that {@link Vma#continues
     * continue} each other are one line, however their memory is split inside (pieces grown in place,
     * copy-on-write copies, a file's end). The merged entries' backing offsets mean nothing.
     */
    public List<Vma> mappings() {
        List<Vma> out = new ArrayList<>();
        synchronized (lock) {
            Vma cur = null;
            for (Vma v : vmas.values()) {
                if (cur != null && cur.continues(v)) {
                    cur = cur.merge(v);
                } else {
                    if (cur != null) {
                        out.add(cur);
                    }
                    cur = v;
                }
            }
            if (cur != null) {
                out.add(cur);
            }
        }
        return out;
    }

    /** The VMA containing {@code addr}, or null. */
    public Vma findVma(long addr) {
        synchronized (lock) {
            return find(addr);
        }
    }

    /** Drops every mapping (execve, exit). */
    public void releaseAll() {
        synchronized (lock) {
            long runStart = -1;
            long runEnd = -1;
            for (Vma v : vmas.values()) {
                if (v.start() != runEnd) {
                    if (runStart >= 0) {
                        as.unmap(runStart, runEnd - runStart);
                    }
                    runStart = v.start();
                }
                runEnd = v.end();
                releaseBacking(v.backing(), v.length());
            }
            if (runStart >= 0) {
                as.unmap(runStart, runEnd - runStart);
            }
            vmas.clear();
            changed();
            brkStart = brk = 0;
            mmapBase = Math.max(MMAP_MIN_ADDR, maxAddr - STACK_AREA);
        }
    }

    // ---- sharing: tasks sharing this manager (CLONE_VM), fork, futex words ----

    /** Adds a user (a task sharing this address space: CLONE_VM). */
    public void retain() {
        users.incrementAndGet();
    }

    /** Tasks using this address space. */
    public int users() {
        return users.get();
    }

    /**
     * Drops a user. The last one frees every page (no host unmaps: the address space goes as a whole) and
     * releases the address space. Any thread.
     */
    public void release() {
        if (users.decrementAndGet() != 0) {
            return;
        }
        synchronized (lock) {
            for (Vma v : vmas.values()) {
                releaseBacking(v.backing(), v.length());
            }
            vmas.clear();
            changed();
        }
        as.release();
    }

    /**
     * fork(2) in one step, for callers on a thread that may drive both address spaces (tests): {@link #forkBegin}
     * then {@link Fork#finish}.
     */
    public MemoryManager fork(AddressSpace childAs) {
        return forkBegin(EAGER_FORK).finish(childAs);
    }

    /**
     * fork(2), first half, on a thread of this address space: takes the child's memory. Shared VMAs share their
     * pages. Private VMAs share theirs copy-on-write (this address space's host mapping loses PROT_WRITE; a write
     * on either side copies the page), or with {@code eager} are copied into new memory at once (holes stay
     * holes). Throws ENOMEM (eager copy) with nothing changed but memory freed.
     */
    public Fork forkBegin(boolean eager) {
        List<Vma> copy = new ArrayList<>();
        synchronized (lock) {
            protectionGeneration++;
            // Write-protection runs of neighbouring VMAs with the same protection: one host call each.
            long runStart = 0;
            long runEnd = 0;
            int runProt = 0;
            int err = 0;
            for (Vma v : List.copyOf(vmas.values())) {
                if (v.shared()) {
                    file.shared.retain(v.backing(), v.length());
                    copy.add(v);
                } else if (eager || writePinned(v.backing(), v.backing() + v.length())) {
                    // (A VMA that a blocked read(2) is writing into is copied now, as Linux copies pinned
                    // pages at fork: the reader keeps writing this side's pages.)
                    long backing = file.allocate(v.length());
                    if (backing < 0) {
                        err = (int) backing;
                        break;
                    }
                    file.copyPopulated(v.backing(), backing, v.length());
                    copy.add(v.withBacking(backing, false));
                } else {
                    file.shared.retain(v.backing(), v.length());
                    Vma cow = v.withBacking(v.backing(), true);
                    if (!v.cow()) {
                        vmas.put(cow.start(), cow);
                        changed();
                    }
                    copy.add(cow);
                    if (v.writable() && !v.beyondEof()) {
                        if (runEnd == v.start() && runProt == cow.hostProt()) {
                            runEnd = v.end();
                            continue;
                        }
                        if (runEnd > runStart && (err = as.protect(runStart, runEnd - runStart, runProt)) < 0) {
                            break;
                        }
                        runStart = v.start();
                        runEnd = v.end();
                        runProt = cow.hostProt();
                    }
                }
            }
            if (err == 0 && runEnd > runStart) {
                err = as.protect(runStart, runEnd - runStart, runProt);
            }
            if (err < 0) {
                // Pages already write-protected here just fault once more and find themselves unshared.
                for (Vma c : copy) {
                    freeUnpinned(c.backing(), c.length());
                }
                throw Errno.ENOMEM.exception();
            }
            return new Fork(copy, brkStart, brk, mmapBase);
        }
    }

    /** Frees a memory-file range no manager's io() can be touching, honouring extra owners. */
    private void freeUnpinned(long off, long len) {
        long[] pieces = file.shared.release(off, len);
        for (int i = 0; i < pieces.length; i += 2) {
            file.free(pieces[i], pieces[i + 1]);
        }
    }

    /**
     * A fork's memory between {@link #forkBegin} (the parent's thread) and {@link #finish} (the child's thread,
     * the one that drives its new address space). Either finish or cancel it, once.
     */
    public final class Fork {
        private final List<Vma> copy;
        private final long childBrkStart, childBrk, childMmapBase;
        private boolean done;

        private Fork(List<Vma> copy, long brkStart, long brk, long mmapBase) {
            this.copy = copy;
            this.childBrkStart = brkStart;
            this.childBrk = brk;
            this.childMmapBase = mmapBase;
        }

        /** The child's manager over {@code childAs} (empty), its VMAs mapped. Throws ENOMEM, releasing all. */
        public MemoryManager finish(AddressSpace childAs) {
            if (done) {
                throw new IllegalStateException("fork finished twice");
            }
            done = true;
            MemoryManager child = new MemoryManager(file, childAs);
            long err = 0;
            synchronized (child.lock) {
                child.brkStart = childBrkStart;
                child.brk = childBrk;
                child.mmapBase = childMmapBase;
                for (Vma c : copy) {
                    child.vmas.put(c.start(), c);
                }
                child.changed();
                for (Vma c : copy) {
                    int r = c.beyondEof() ? 0 : childAs.map(c.start(), c.length(), c.hostProt(), c.backing());
                    if (r < 0) {
                        err = r;
                        break;
                    }
                }
            }
            if (err < 0) {
                child.release();
                throw Errno.ENOMEM.exception();
            }
            return child;
        }

        /** Gives the memory back when the child will not come to be. */
        public void cancel() {
            if (done) {
                return;
            }
            done = true;
            for (Vma c : copy) {
                freeUnpinned(c.backing(), c.length());
            }
        }
    }

    /**
     * The VMA holding the aligned futex word at {@code addr}, which must be readable: its memory-file offset is
     * the key of a shared futex. Throws EFAULT.
     */
    public Vma futexVma(long addr) {
        checkUserRange(addr, 4);
        synchronized (lock) {
            return accessible(addr, false);
        }
    }

    /** Reads the aligned 32-bit word at {@code addr} atomically (a futex compare). Throws EFAULT. */
    public int loadAtomicInt(long addr) {
        checkUserRange(addr, 4);
        synchronized (lock) {
            Vma v = accessible(addr, false);
            return (int) INT_HANDLE.getVolatile(mem, v.backingOf(addr));
        }
    }

    /**
     * Atomically replaces the aligned 32-bit word at {@code addr} with {@code update} if it holds {@code expect};
     * returns the value it held. Needs PROT_WRITE; throws EFAULT.
     */
    public int compareAndExchangeInt(long addr, int expect, int update) {
        checkUserRange(addr, 4);
        synchronized (lock) {
            Vma v = writableAt(addr, 4);
            return (int) INT_HANDLE.compareAndExchange(mem, v.backingOf(addr), expect, update);
        }
    }

    // ---- internals; callers hold lock unless said otherwise ----

    private static void checkUserRange(long addr, long len) {
        if (addr < 0 || len < 0 || addr + len < addr) {
            throw Errno.EFAULT.exception();
        }
    }

    private Vma find(long addr) {
        Vma c = lastVma;
        if (c != null && c.contains(addr)) {
            return c;
        }
        if (indexStale) {
            rebuildIndex();
        }
        int i = Arrays.binarySearch(indexStarts, 0, indexSize, addr);
        if (i < 0) {
            i = -i - 2; // the last start below addr
        }
        if (i < 0 || indexVmas[i].end() <= addr) {
            return null;
        }
        lastVma = indexVmas[i];
        return lastVma;
    }

    /** Records that the VMA tree changed: the cache and the index are stale. */
    private void changed() {
        lastVma = null;
        indexStale = true;
    }

    private void rebuildIndex() {
        int n = vmas.size();
        if (indexStarts.length < n) {
            int cap = Math.max(n, indexStarts.length * 2);
            indexStarts = new long[cap];
            indexVmas = new Vma[cap];
        }
        int i = 0;
        for (Vma v : vmas.values()) {
            indexStarts[i] = v.start();
            indexVmas[i] = v;
            i++;
        }
        Arrays.fill(indexVmas, n, indexSize > n ? indexSize : n, null);
        indexSize = n;
        indexStale = false;
    }

    private Vma accessible(long addr, boolean write) {
        Vma v = find(addr);
        if (v == null || v.beyondEof() || !(write ? v.writable() : v.readable())) {
            throw Errno.EFAULT.exception();
        }
        return v;
    }

    /**
     * The VMA holding {@code addr} for a sentry write of up to {@code len} bytes there: copy-on-write pages in
     * the part of it that write reaches become this address space's own first, so the write cannot reach
     * another process. Throws EFAULT (also when no memory is left for the copy).
     */
    private Vma writableAt(long addr, long len) {
        Vma v = accessible(addr, true);
        if (v.cow()) {
            v = unshare(v, addr, addr + Math.max(1, Math.min(len, v.end() - addr)));
            if (v == null) {
                throw Errno.EFAULT.exception();
            }
        }
        return v;
    }

    /**
     * Breaks copy-on-write for the pages of {@code [from, to)} (within {@code v}, a copy-on-write VMA): pages
     * still shared with another address space are copied into new memory of this one; pages only this one holds
     * just become writable in the host. When no page of {@code v} is shared any more, it stops being
     * copy-on-write. Returns the VMA now holding {@code from}, or null when the copy cannot be made (ENOMEM, or
     * the host refused the mapping), leaving everything as it was.
     */
    private Vma unshare(Vma v, long from, long to) {
        long lo = Mman.pageDown(from);
        long hi = Math.min(Mman.pageUp(to), v.end());
        long len = hi - lo;
        long off = v.backingOf(lo);
        if (!file.shared.isShared(v.backing(), v.length())) {
            Vma own = v.withBacking(v.backing(), false);
            vmas.put(own.start(), own);
            changed();
            if (as.protect(own.start(), own.length(), own.prot()) < 0) {
                vmas.put(v.start(), v);
                changed();
                return null;
            }
            mergeAround(own.start(), own.end());
            return find(from);
        }
        if (!file.shared.isShared(off, len)) {
            // The other owners are gone: the last one writes in place.
            return as.protect(lo, len, v.prot()) < 0 ? null : v;
        }
        Vma below = lo > v.start() ? null : find(lo - 1);
        long fresh = allocateAfter(below != null && !below.cow() && below.end() == lo ? below : null, len);
        if (fresh < 0) {
            return null;
        }
        if (len == Mman.PAGE_SIZE) {
            MemorySegment.copy(mem, off, mem, fresh, len);
        } else {
            file.copyPopulated(off, fresh, len); // untouched pages stay holes
        }
        if (as.map(lo, len, v.prot(), fresh) < 0) {
            file.free(fresh, len);
            return null;
        }
        splitAt(lo);
        splitAt(hi);
        vmas.put(lo, vmas.get(lo).withBacking(fresh, false));
        changed();
        releaseBacking(off, len); // after the copy: the other owners keep the original
        mergeAround(lo, hi);
        return find(from);
    }

    /**
     * Resolves a fault the sentry itself caused: a write to a copy-on-write page gets this address space's own
     * copy, and the task retries the instruction. An access to a file mapping's page wholly past the file's end
     * becomes SIGBUS (BUS_ADRERR at the address), as Linux raises it; {@code f} is rewritten to say so. Returns
     * true when the task should just retry (also when another thread of this address space resolved the same
     * fault first); false when {@code f} is to be delivered as a signal.
     *
     * <p>The platform's error code may be unknown (-1, ptrace): an access error on a readable page of a writable
     * VMA can then only be a write (or an instruction fetch, which faults again and is delivered then: the
     * caller does not retry the same address twice within one {@link #protectionGeneration}).
     */
    public boolean handleFault(FaultInfo f) {
        if (f.signo != Signals.SIGSEGV || f.addr < 0) {
            return false;
        }
        boolean knownRead = f.errorCode >= 0 && (f.errorCode & PF_WRITE) == 0;
        synchronized (lock) {
            Vma v = find(f.addr);
            if (v == null) {
                return false;
            }
            if (v.beyondEof()) {
                boolean denied = !v.readable() || (f.errorCode >= 0 && (f.errorCode & PF_WRITE) != 0
                        && !v.writable());
                if (denied) {
                    f.code = SigInfo.SEGV_ACCERR;
                } else {
                    f.signo = Signals.SIGBUS;
                    f.code = SigInfo.BUS_ADRERR;
                }
                return false;
            }
            if (f.code != SigInfo.SEGV_ACCERR || !v.writable() || knownRead) {
                return false;
            }
            if (!v.cow()) {
                return true; // another thread broke it first; the host mapping is writable now
            }
            // Fault-around: a fault costs far more than copying a page, and writes tend to run on; so the aligned
            // block around the address is copied at once (its untouched pages stay holes).
            long from = Math.max(v.start(), f.addr & -COW_BLOCK);
            long to = Math.min(v.end(), (f.addr & -COW_BLOCK) + COW_BLOCK);
            if (unshare(v, from, to) == null) {
                // No memory for the copy: Linux's out-of-memory fault is SIGBUS too.
                f.signo = Signals.SIGBUS;
                f.code = SigInfo.BUS_ADRERR;
                return false;
            }
            return true;
        }
    }

    private long readStraddling(long addr, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            Vma vma = accessible(addr + i, false);
            v |= (mem.get(JAVA_BYTE, vma.backingOf(addr + i)) & 0xffL) << (8 * i);
        }
        return v;
    }

    private void writeStraddling(long addr, long value, int size) {
        // Check every byte first so a fault leaves memory unchanged.
        for (int i = 0; i < size; i++) {
            accessible(addr + i, true);
        }
        for (int i = 0; i < size; i++) {
            Vma vma = writableAt(addr + i, 1);
            mem.set(JAVA_BYTE, vma.backingOf(addr + i), (byte) (value >>> (8 * i)));
        }
    }

    /** True if any VMA overlaps {@code [start, end)}. */
    private boolean intersects(long start, long end) {
        Map.Entry<Long, Vma> e = vmas.lowerEntry(end);
        return e != null && e.getValue().end() > start;
    }

    private Vma firstIntersecting(long start, long end) {
        Vma v = find(start);
        if (v != null) {
            return v;
        }
        Map.Entry<Long, Vma> e = vmas.higherEntry(start);
        return e != null && e.getKey() < end ? e.getValue() : null;
    }

    /** Splits the VMA that strictly contains {@code addr}, if any, into two at {@code addr}. */
    private void splitAt(long addr) {
        Map.Entry<Long, Vma> e = vmas.lowerEntry(addr);
        if (e != null && e.getValue().end() > addr) {
            Vma v = e.getValue();
            vmas.put(v.start(), v.slice(v.start(), addr));
            vmas.put(addr, v.slice(addr, v.end()));
            changed();
        }
    }

    /** Joins neighbours that continue each other, from the VMA before {@code start} to the one at {@code end}. */
    private void mergeAround(long start, long end) {
        Map.Entry<Long, Vma> e = vmas.lowerEntry(start);
        if (e == null) {
            e = vmas.ceilingEntry(start);
        }
        Vma cur = e == null ? null : e.getValue();
        while (cur != null && cur.start() <= end) {
            Map.Entry<Long, Vma> n = vmas.higherEntry(cur.start());
            if (n == null) {
                break;
            }
            Vma next = n.getValue();
            if (cur.canMerge(next)) {
                vmas.remove(next.start());
                cur = cur.merge(next);
                vmas.put(cur.start(), cur);
                changed();
            } else {
                cur = next;
            }
        }
    }

    /**
     * Removes every VMA piece in {@code [start, end)} and frees its memory. {@code unmapHost} is false when the
     * caller is about to map over the same range anyway.
     */
    private void removeRange(long start, long end, boolean unmapHost) {
        if (!intersects(start, end)) {
            return;
        }
        splitAt(start);
        splitAt(end);
        for (Iterator<Vma> it = vmas.subMap(start, true, end, false).values().iterator(); it.hasNext(); ) {
            Vma v = it.next();
            it.remove();
            releaseBacking(v.backing(), v.length());
        }
        changed();
        if (unmapHost) {
            as.unmap(start, end - start);
        }
    }

    /** Inserts {@code v} (its range free) and maps it into the address space. On failure frees its backing. */
    private long mapNew(Vma v) {
        int r = mapHost(v);
        if (r < 0) {
            releaseBacking(v.backing(), v.length());
            return r;
        }
        vmas.put(v.start(), v);
        changed();
        mergeAround(v.start(), v.end());
        return 0;
    }

    /**
     * Mirrors {@code v} into the host: its pages with {@link Vma#hostProt}, or nothing for pages past a file's
     * end (whatever was mapped there goes, so the access faults).
     */
    private int mapHost(Vma v) {
        return v.beyondEof() ? as.unmap(v.start(), v.length())
                : as.map(v.start(), v.length(), v.hostProt(), v.backing());
    }

    /** Adds {@code len} bytes at {@code at} continuing {@code vma}: fresh memory, or more of its file. */
    private long extend(Vma vma, long at, long len) {
        if (vmas.size() >= MAX_MAP_COUNT) {
            return Errno.ENOMEM.ret();
        }
        long backing = allocateAfter(vma, len);
        if (backing < 0) {
            return backing;
        }
        long fileOff = vma.file() == null ? 0 : vma.fileOffset() + (at - vma.start());
        if (vma.file() != null) {
            long r = copyFromFile(vma.file(), fileOff, backing, len);
            if (r < 0) {
                releaseBacking(backing, len);
                return r;
            }
        }
        return mapNewFile(new Vma(at, at + len, vma.prot(), vma.flags(), backing, vma.file(), fileOff,
                vma.name()), true);
    }

    /**
     * {@link #mapNew} for a VMA that may map a file: with {@code checkEof}, its pages wholly past the file's end
     * (as the file is now) become a separate VMA whose accesses raise SIGBUS.
     */
    private long mapNewFile(Vma v, boolean checkEof) {
        if (v.file() == null || !checkEof) {
            return mapNew(v);
        }
        long size = v.file().size();
        long eof = size < 0 || size > Long.MAX_VALUE - Mman.PAGE_SIZE ? Long.MAX_VALUE : Mman.pageUp(size);
        long inFile = eof <= v.fileOffset() ? 0 : Math.min(v.length(), eof - v.fileOffset());
        if (inFile == v.length()) {
            return mapNew(v);
        }
        Vma past = v.slice(v.start() + inFile, v.end()).pastEof();
        if (inFile > 0) {
            long r = mapNew(v.slice(v.start(), v.start() + inFile));
            if (r < 0) {
                releaseBacking(past.backing(), past.length());
                return r;
            }
        }
        return mapNew(past);
    }

    /** Memory for {@code len} bytes above {@code below}: right after its range if free, so the two can merge. */
    private long allocateAfter(Vma below, long len) {
        if (below != null) {
            long at = below.backing() + below.length();
            if (at <= file.size() - len && file.allocateAt(at, len) == at) {
                return at;
            }
        }
        return file.allocate(len);
    }

    /**
     * Moves {@code [from, from+oldLen)}, which lies in one VMA, to {@code to} by remapping its memory-file
     * pages (no copy), then grows it to {@code newLen}. {@code [to, to+newLen)} must be free.
     */
    private long move(long from, long oldLen, long to, long newLen, boolean dontUnmap) {
        if (vmas.size() + 2 >= MAX_MAP_COUNT) {
            return Errno.ENOMEM.ret();
        }
        long fresh = -1;
        if (dontUnmap) {
            fresh = file.allocate(oldLen);
            if (fresh < 0) {
                return fresh;
            }
        }
        splitAt(from);
        splitAt(from + oldLen);
        // The range may be several VMAs that continue each other (grown in place with separate backing).
        List<Vma> pieces = new ArrayList<>(vmas.subMap(from, true, from + oldLen, false).values());
        for (int i = 0; i < pieces.size(); i++) {
            Vma p = pieces.get(i);
            int r = mapHost(p.movedTo(to + (p.start() - from)));
            if (r < 0) {
                if (i > 0) {
                    as.unmap(to, pieces.get(i - 1).end() - from);
                }
                mergeAround(from, from + oldLen);
                if (fresh >= 0) {
                    releaseBacking(fresh, oldLen);
                }
                return r;
            }
        }
        Vma last = null;
        for (Vma p : pieces) {
            vmas.remove(p.start());
            last = p.movedTo(to + (p.start() - from));
            vmas.put(last.start(), last);
        }
        changed();
        if (dontUnmap) {
            // The old range stays mapped, with its pages gone: zero, or the file's bytes again.
            for (Vma p : pieces) {
                long b = fresh + (p.start() - from);
                if (p.file() != null) {
                    copyFromFile(p.file(), p.fileOffset(), b, p.length());
                }
                Vma own = p.withBacking(b, false);
                vmas.put(p.start(), own);
                mapHost(own);
            }
            changed();
        } else {
            as.unmap(from, oldLen);
        }
        mergeAround(from, from + oldLen);
        mergeAround(to, to + oldLen);
        if (newLen > oldLen) {
            long e = extend(last, to + oldLen, newLen - oldLen);
            if (e < 0) {
                return e;
            }
        }
        return to;
    }

    /**
     * An address for {@code len} bytes: the hint if that range is free, else the highest free range below
     * mmap_base (keeping a guard gap below stacks), else the highest anywhere. Returns -1 if none.
     */
    private long chooseAddress(long hint, long len, boolean low32) {
        if (hint != 0 && hint >= MMAP_MIN_ADDR && len <= maxAddr - hint && !intersects(hint, hint + len)) {
            return hint;
        }
        if (low32) {
            return topDown(MAP_32BIT_LOW, MAP_32BIT_HIGH, len);
        }
        long a = topDown(MMAP_MIN_ADDR, Math.min(mmapBase, maxAddr), len);
        return a >= 0 ? a : topDown(MMAP_MIN_ADDR, maxAddr, len);
    }

    private long topDown(long lo, long hi, long len) {
        long gapEnd = hi;
        Map.Entry<Long, Vma> e = vmas.lowerEntry(hi);
        while (true) {
            long gapStart = e == null ? lo : Math.max(lo, e.getValue().end());
            if (gapEnd >= gapStart && gapEnd - gapStart >= len) {
                return gapEnd - len;
            }
            if (e == null) {
                return -1;
            }
            Vma v = e.getValue();
            gapEnd = Math.min(gapEnd, v.growsDown() ? v.start() - STACK_GUARD_GAP : v.start());
            if (gapEnd <= lo) {
                return -1;
            }
            e = vmas.lowerEntry(v.start());
        }
    }

    private long advise(Vma v, long start, long end, int advice) {
        long off = v.backingOf(start);
        long len = end - start;
        switch (advice) {
            case Mman.MADV_DONTNEED, MADV_DONTNEED_LOCKED -> {
                if (!v.shared()) {
                    return dropPages(v, start, off, len);
                }
            }
            case Mman.MADV_FREE -> {
                if (v.shared() || !v.anonymous()) {
                    return Errno.EINVAL.ret();
                }
                return dropPages(v, start, off, len);
            }
            case Mman.MADV_REMOVE -> {
                if (!v.shared()) {
                    return Errno.EINVAL.ret();
                }
                if (!v.anonymous()) {
                    return Errno.EOPNOTSUPP.ret(); // our copy of a shared file cannot punch the file itself
                }
                file.decommit(off, len);
            }
            case MADV_WIPEONFORK, MADV_KEEPONFORK -> {
                if (v.shared() || !v.anonymous()) {
                    return Errno.EINVAL.ret();
                }
            }
            case MADV_POPULATE_READ -> {
                if (!v.readable()) {
                    return Errno.EINVAL.ret();
                }
            }
            case MADV_POPULATE_WRITE -> {
                if (!v.writable()) {
                    return Errno.EINVAL.ret();
                }
            }
            default -> { } // a hint: the memory is already there, eagerly
        }
        return 0;
    }

    private long dropPages(Vma v, long start, long off, long len) {
        if (v.cow()) {
            // The pages may be another process's too: this range gets fresh memory instead of losing them.
            long fresh = file.allocate(len);
            if (fresh < 0) {
                return fresh;
            }
            if (v.file() != null) {
                copyFromFile(v.file(), v.fileOffset() + (start - v.start()), fresh, len);
            }
            splitAt(start);
            splitAt(start + len);
            Vma own = vmas.get(start).withBacking(fresh, false);
            int r = mapHost(own);
            if (r < 0) {
                file.free(fresh, len);
                mergeAround(start, start + len);
                return r;
            }
            vmas.put(start, own);
            changed();
            releaseBacking(off, len);
            mergeAround(start, start + len);
            return 0;
        }
        file.decommit(off, len);
        if (v.file() != null) {
            copyFromFile(v.file(), v.fileOffset() + (start - v.start()), off, len);
        }
        return 0;
    }

    private static boolean validAdvice(int advice) {
        return switch (advice) {
            case Mman.MADV_NORMAL, Mman.MADV_RANDOM, Mman.MADV_SEQUENTIAL, Mman.MADV_WILLNEED,
                    Mman.MADV_DONTNEED, Mman.MADV_FREE, Mman.MADV_REMOVE, Mman.MADV_DONTFORK, Mman.MADV_DOFORK,
                    Mman.MADV_MERGEABLE, Mman.MADV_UNMERGEABLE, Mman.MADV_HUGEPAGE, Mman.MADV_NOHUGEPAGE,
                    Mman.MADV_DONTDUMP, Mman.MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, 20, 21,
                    MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED, MADV_COLLAPSE -> true;
            default -> false;
        };
    }

    /** Reads up to {@code len} bytes of {@code f} at {@code fileOff} into the memory file; past EOF stays zero.
     *  Does not need the lock (the range is not yet, or no longer, visible to others). */
    private long copyFromFile(FileDescription f, long fileOff, long backing, long len) {
        long done = 0;
        while (done < len) {
            long r = f.pread(mem.asSlice(backing + done, len - done), fileOff + done);
            if (r < 0) {
                return r;
            }
            if (r == 0) {
                break;
            }
            done += r;
        }
        return 0;
    }

    /**
     * Frees a memory-file range now, or once no io() callback can be touching it. Pages another address space
     * still shares (a MAP_SHARED mapping inherited across fork) only lose this manager's reference.
     */
    private void releaseBacking(long off, long len) {
        long[] pieces = file.shared.release(off, len);
        for (int i = 0; i < pieces.length; i += 2) {
            releaseOwned(pieces[i], pieces[i + 1]);
        }
    }

    private void releaseOwned(long off, long len) {
        if (pins == 0) {
            file.free(off, len);
            return;
        }
        if (pendingCount + 2 > pendingFree.length) {
            pendingFree = Arrays.copyOf(pendingFree, pendingFree.length * 2);
        }
        pendingFree[pendingCount++] = off;
        pendingFree[pendingCount++] = len;
    }

    private void addWritePin(long start, long end) {
        if (writePinCount + 2 > writePins.length) {
            writePins = Arrays.copyOf(writePins, writePins.length * 2);
        }
        writePins[writePinCount++] = start;
        writePins[writePinCount++] = end;
    }

    private void removeWritePin(long start, long end) {
        for (int i = 0; i < writePinCount; i += 2) {
            if (writePins[i] == start && writePins[i + 1] == end) {
                writePinCount -= 2;
                writePins[i] = writePins[writePinCount];
                writePins[i + 1] = writePins[writePinCount + 1];
                return;
            }
        }
    }

    /** Whether an io() callback is writing into {@code [start, end)} of the memory file now. */
    private boolean writePinned(long start, long end) {
        for (int i = 0; i < writePinCount; i += 2) {
            if (writePins[i] < end && writePins[i + 1] > start) {
                return true;
            }
        }
        return false;
    }

    private void flushPendingFrees() {
        for (int i = 0; i < pendingCount; i += 2) {
            file.free(pendingFree[i], pendingFree[i + 1]);
        }
        pendingCount = 0;
    }
}
