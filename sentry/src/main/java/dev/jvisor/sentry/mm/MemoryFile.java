package dev.jvisor.sentry.mm;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.HostException;
import dev.jvisor.abi.Mman;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memfd that backs all workload memory. It is sized once, sparsely, to its maximum and mapped whole
 * (MAP_SHARED) into the sentry, so the sentry reaches any workload page as {@code segment()} plus its offset.
 * Platforms map pieces of the same fd into their stubs.
 *
 * <p>An allocator hands out page-aligned ranges of the file. A range is zero when handed out: the file starts as
 * one hole, and {@link #free} punches a hole (which also returns the pages to the host) before the range can be
 * reused. The allocator also enforces a cap on the bytes allocated at once, the sandbox's memory limit.
 *
 * <p>Thread safety: the allocator is guarded by this; {@link #segment()} may be used by any thread.
 */
public final class MemoryFile implements AutoCloseable {
    /** Copies up to this long go page by page (see {@link #copyPopulated}). */
    private static final long SMALL_COPY = 1L << 20;

    /** Default size of the file: the most workload memory (reserved, not touched) a sandbox can hold. */
    public static final long DEFAULT_SIZE = 64L << 30;

    private final int fd;
    private final long size;
    /** Written under this (allocate reads it there); volatile for {@link #limit()}. */
    private volatile long limit;
    private final MemorySegment segment;
    /** Extra owners of pages that back MAP_SHARED VMAs in several address spaces (after fork). */
    final SharedPages shared = new SharedPages();

    // guarded by this: free extents, start -> end, never adjacent (merged on free)
    private final TreeMap<Long, Long> free = new TreeMap<>();
    // guarded by this
    private long allocated;
    private boolean closed;

    /** A memory file of {@link #DEFAULT_SIZE} with no cap beyond its size. */
    public MemoryFile() {
        this(DEFAULT_SIZE, DEFAULT_SIZE);
    }

    /**
     * @param size bytes of the file (page aligned): the span of offsets the allocator manages
     * @param limit most bytes allocated at once; allocations beyond it fail with ENOMEM
     * @throws HostException if the memfd cannot be created, sized or mapped
     */
    @SuppressWarnings("restricted") // the mapping is exactly size bytes long
    public MemoryFile(long size, long limit) {
        if (size <= 0 || (size & ~Mman.PAGE_MASK) != 0 || limit < 0) {
            throw new IllegalArgumentException("memory file size " + size + ", limit " + limit);
        }
        this.size = size;
        this.limit = Math.min(limit, size);
        int memfd;
        try (Arena a = Arena.ofConfined()) {
            memfd = (int) Host.check(Host.memfdCreate(a.allocateFrom("jvisor-memory"), Mman.MFD_CLOEXEC),
                    "memfd_create");
        }
        long addr;
        try {
            Host.check(Host.ftruncate(memfd, size), "ftruncate of the memory file");
            // MAP_NORESERVE: the file is sparse; pages come into being only when touched.
            addr = Host.check(Host.mmap(0, size, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_SHARED | Mman.MAP_NORESERVE, memfd, 0), "mmap of the memory file");
        } catch (HostException e) {
            Host.close(memfd);
            throw e;
        }
        this.fd = memfd;
        this.segment = MemorySegment.ofAddress(addr).reinterpret(size);
        free.put(0L, size);
    }

    /** The memfd, for platforms to map into stubs. */
    public int fd() {
        return fd;
    }

    /** The whole file as mapped into the sentry: offset {@code o} of the file is {@code segment().get(.., o)}. */
    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }

    /**
     * Changes the cap ({@code jrunsc update --memory}), clamped to the file's size. Refused (false) below what is
     * allocated now, as cgroup v1 refuses such a memory.limit_in_bytes with EBUSY: nothing could be reclaimed.
     */
    public synchronized boolean limit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("memory limit " + bytes);
        }
        if (bytes < allocated) {
            return false;
        }
        this.limit = Math.min(bytes, size);
        return true;
    }

    /** Bytes currently allocated. */
    public synchronized long allocated() {
        return allocated;
    }

    /**
     * Allocates {@code len} bytes (page aligned, > 0) of zeroed memory. Lowest-address first fit, so the file's
     * used part stays compact. Returns the offset, or {@code -ENOMEM} when the cap or the file is exhausted.
     */
    public synchronized long allocate(long len) {
        if (len <= 0 || (len & ~Mman.PAGE_MASK) != 0) {
            throw new IllegalArgumentException("allocation of " + len + " bytes");
        }
        if (closed || len > limit - allocated) {
            return Errno.ENOMEM.ret();
        }
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long start = e.getKey();
            long end = e.getValue();
            if (end - start >= len) {
                free.remove(start);
                if (end - start > len) {
                    free.put(start + len, end);
                }
                allocated += len;
                return start;
            }
        }
        return Errno.ENOMEM.ret();
    }

    /**
     * Allocates exactly {@code [offset, offset+len)} if all of it is free (to grow an allocation in place, so
     * the VMAs above it can stay one). Returns {@code offset}, or {@code -ENOMEM}.
     */
    public synchronized long allocateAt(long offset, long len) {
        if (len <= 0 || ((offset | len) & ~Mman.PAGE_MASK) != 0 || offset < 0) {
            throw new IllegalArgumentException("allocation of " + len + " bytes at " + offset);
        }
        if (closed || len > limit - allocated || offset > size - len) {
            return Errno.ENOMEM.ret();
        }
        Map.Entry<Long, Long> e = free.floorEntry(offset);
        if (e == null || e.getValue() < offset + len) {
            return Errno.ENOMEM.ret();
        }
        long start = e.getKey();
        long end = e.getValue();
        free.remove(start);
        if (start < offset) {
            free.put(start, offset);
        }
        if (offset + len < end) {
            free.put(offset + len, end);
        }
        allocated += len;
        return offset;
    }

    /**
     * Returns {@code [offset, offset+len)} to the allocator and its pages to the host. The range must have been
     * allocated (a whole allocation or any page-aligned piece of one) and not freed since.
     */
    public void free(long offset, long len) {
        checkRange(offset, len);
        // Punch before the range becomes reusable, so a later allocation can never see our data nor lose its own.
        punch(offset, len);
        synchronized (this) {
            Long lower = free.floorKey(offset);
            if (lower != null && free.get(lower) > offset) {
                throw new IllegalStateException("double free of memory file range 0x" + Long.toHexString(offset));
            }
            Long higher = free.ceilingKey(offset);
            if (higher != null && higher < offset + len) {
                throw new IllegalStateException("double free of memory file range 0x" + Long.toHexString(offset));
            }
            long start = offset;
            long end = offset + len;
            if (lower != null && free.get(lower) == offset) {
                start = lower;
                free.remove(lower);
            }
            if (higher != null && higher == end) {
                end = free.remove(higher);
            }
            free.put(start, end);
            allocated -= len;
        }
    }

    /**
     * Zeroes {@code [offset, offset+len)} of an allocated range by punching a hole: the pages go back to the host
     * and read as zero afterwards (MADV_DONTNEED on private anonymous memory).
     */
    public void decommit(long offset, long len) {
        checkRange(offset, len);
        punch(offset, len);
    }

    private void punch(long offset, long len) {
        int r = Host.fallocate(fd, Mman.FALLOC_FL_PUNCH_HOLE | Mman.FALLOC_FL_KEEP_SIZE, offset, len);
        if (r < 0) {
            // tmpfs always supports hole punching; if it ever fails, zero by hand so no stale data leaks.
            segment.asSlice(offset, len).fill((byte) 0);
        }
    }

    private void checkRange(long offset, long len) {
        if (offset < 0 || len <= 0 || ((offset | len) & ~Mman.PAGE_MASK) != 0 || offset > size - len) {
            throw new IllegalArgumentException("memory file range 0x" + Long.toHexString(offset) + "+" + len);
        }
    }

    /**
     * Copies {@code len} bytes at {@code from} to {@code to} (a freshly allocated, zero range), only where the
     * source has pages: holes stay holes, so copying sparse memory commits nothing (fork of a mostly untouched
     * stack or heap).
     */
    public void copyPopulated(long from, long to, long len) {
        long end = from + len;
        long pos = from;
        if (len <= SMALL_COPY) {
            // SEEK_HOLE walks the whole run of data it starts in (tmpfs), however far it goes: copying a small
            // window of a large populated range that way would cost as much as the range. SEEK_DATA from a page
            // that has data returns at once, so a small window goes page by page.
            while (pos < end) {
                long data = Host.lseek(fd, pos, Fcntl.SEEK_DATA);
                if (data < 0 || data >= end) {
                    if (data < 0 && data != -Errno.ENXIO.number()) {
                        MemorySegment.copy(segment, pos, segment, to + (pos - from), end - pos); // no SEEK_DATA
                    }
                    return;
                }
                MemorySegment.copy(segment, data, segment, to + (data - from), Mman.PAGE_SIZE);
                pos = data + Mman.PAGE_SIZE;
            }
            return;
        }
        while (pos < end) {
            long data = Host.lseek(fd, pos, Fcntl.SEEK_DATA);
            if (data < 0 || data >= end) {
                if (data < 0 && data != -Errno.ENXIO.number()) {
                    MemorySegment.copy(segment, pos, segment, to + (pos - from), end - pos); // no SEEK_DATA
                }
                return;
            }
            long hole = Host.lseek(fd, data, Fcntl.SEEK_HOLE);
            long stop = hole < 0 ? end : Math.min(hole, end);
            MemorySegment.copy(segment, data, segment, to + (data - from), stop - data);
            pos = stop;
        }
    }

    /** Unmaps the file from the sentry and closes the memfd. No workload memory may be used afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Host.munmap(segment.address(), size);
        Host.close(fd);
    }
}
