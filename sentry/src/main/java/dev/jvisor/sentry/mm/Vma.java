package dev.jvisor.sentry.mm;

import dev.jvisor.abi.Mman;
import dev.jvisor.sentry.vfs.FileDescription;

/**
 * One virtual memory area: {@code [start, end)} of a workload address space with one protection, backed by the
 * contiguous memory-file range starting at {@code backing}. Immutable: a split or an mprotect makes new ones.
 *
 * @param start first address (page aligned)
 * @param end address past the last byte (page aligned, {@code > start})
 * @param prot PROT_READ | PROT_WRITE | PROT_EXEC bits
 * @param flags MAP_SHARED or MAP_PRIVATE, plus MAP_ANONYMOUS and MAP_GROWSDOWN as given to mmap
 * @param backing offset of {@code start}'s page in the memory file
 * @param file the mapped file, or null for anonymous memory (its bytes were copied into the backing)
 * @param fileOffset offset in {@code file} of {@code start}'s page (0 for anonymous memory)
 * @param name what /proc/self/maps shows: "[heap]", "[stack]", a path, or "" for anonymous memory
 * @param cow private memory whose pages may be shared copy-on-write with another address space (after fork):
 *     mapped without PROT_WRITE in the host, and a write (workload fault or sentry copy) first gives this
 *     address space its own copy of the pages still shared. Pages no longer shared may already be writable.
 * @param beyondEof a file mapping's pages wholly past the file's end (at mmap time): not mapped in the host, and
 *     any access raises SIGBUS (the sentry's own copies fail with EFAULT), as on Linux
 */
public record Vma(long start, long end, int prot, int flags, long backing, FileDescription file, long fileOffset,
        String name, boolean cow, boolean beyondEof) {

    /** A VMA of memory no other address space shares, present in the host. */
    public Vma(long start, long end, int prot, int flags, long backing, FileDescription file, long fileOffset,
            String name) {
        this(start, end, prot, flags, backing, file, fileOffset, name, false, false);
    }

    public long length() {
        return end - start;
    }

    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /** x86 has no write-only pages, and without protection keys no execute-only ones: any access allows reads. */
    public boolean readable() {
        return (prot & (Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC)) != 0;
    }

    public boolean writable() {
        return (prot & Mman.PROT_WRITE) != 0;
    }

    /**
     * The protection the host mapping gets: no PROT_WRITE while pages may be shared copy-on-write (but PROT_READ,
     * which x86 grants with PROT_WRITE anyway, so reads of write-only memory do not fault).
     */
    public int hostProt() {
        return cow && (prot & Mman.PROT_WRITE) != 0 ? (prot & ~Mman.PROT_WRITE) | Mman.PROT_READ : prot;
    }

    public boolean shared() {
        return (flags & Mman.MAP_TYPE) == Mman.MAP_SHARED;
    }

    public boolean anonymous() {
        return file == null;
    }

    public boolean growsDown() {
        return (flags & Mman.MAP_GROWSDOWN) != 0;
    }

    /** The memory-file offset of {@code addr}, which must lie in this VMA. */
    public long backingOf(long addr) {
        return backing + (addr - start);
    }

    /** The part {@code [from, to)} of this VMA, with backing and file offsets moved along. */
    public Vma slice(long from, long to) {
        long d = from - start;
        return new Vma(from, to, prot, flags, backing + d, file, file == null ? 0 : fileOffset + d, name, cow,
                beyondEof);
    }

    public Vma withProt(int newProt) {
        return new Vma(start, end, newProt, flags, backing, file, fileOffset, name, cow, beyondEof);
    }

    /** This VMA with other backing memory of its own (a copy-on-write break, a fork's copy, MADV_DONTNEED). */
    public Vma withBacking(long newBacking, boolean newCow) {
        return new Vma(start, end, prot, flags, newBacking, file, fileOffset, name, newCow, beyondEof);
    }

    /** This VMA as pages wholly past its file's end. */
    public Vma pastEof() {
        return new Vma(start, end, prot, flags, backing, file, fileOffset, name, cow, true);
    }

    /** This VMA moved to {@code newStart} (mremap), same backing. */
    public Vma movedTo(long newStart) {
        return new Vma(newStart, newStart + length(), prot, flags, backing, file, fileOffset, name, cow, beyondEof);
    }

    /**
     * True if {@code next} starts where this ends and continues it as Linux would see it (same protection, flags,
     * file and file position), whatever their memory-file ranges and whether they lie past the file's end.
     */
    public boolean continues(Vma next) {
        return end == next.start && prot == next.prot && flags == next.flags && file == next.file
                && (file == null || fileOffset + length() == next.fileOffset)
                && name.equals(next.name);
    }

    /**
     * True if {@link #continues} holds, the memory-file ranges are adjacent too and both lie on the same side of
     * the file's end, so the two can be one.
     */
    public boolean canMerge(Vma next) {
        return continues(next) && backing + length() == next.backing && beyondEof == next.beyondEof;
    }

    /** This VMA extended over {@code next} (after {@link #canMerge}); copy-on-write if either part was. */
    public Vma merge(Vma next) {
        return new Vma(start, next.end, prot, flags, backing, file, fileOffset, name, cow || next.cow, beyondEof);
    }

    @Override
    public String toString() {
        return String.format("%x-%x %c%c%c%c %x %s", start, end, readable() ? 'r' : '-', writable() ? 'w' : '-',
                (prot & Mman.PROT_EXEC) != 0 ? 'x' : '-', shared() ? 's' : 'p', fileOffset, name);
    }
}
