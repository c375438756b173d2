package dev.jvisor.sentry.mm;

import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.MemorySegment;

/**
 * A workload address space: its VMAs, brk, and copies between workload memory and the sentry that honour each
 * VMA's protection. Every page of workload memory lives in the {@link MemoryFile}; the {@link AddressSpace}
 * mirrors the VMAs into the platform's host process.
 *
 * <p>SKELETON: the owner of package mm replaces these bodies. The signatures are the contract other packages
 * code against.
 */
public final class MemoryManager {
    /** Transfers bytes between a piece of workload memory (a slice of the memory file's sentry mapping) and
     *  something else. Returns bytes done ({@code <= seg.byteSize()}) or {@code -errno}. */
    @FunctionalInterface
    public interface SegmentIo {
        long apply(MemorySegment seg);
    }

    public MemoryManager(MemoryFile file, AddressSpace as) {
        throw new UnsupportedOperationException("mm: not yet implemented");
    }

    public MemoryFile file() { throw new UnsupportedOperationException(); }

    public AddressSpace addressSpace() { throw new UnsupportedOperationException(); }

    // ---- copies: throw Errno.EFAULT.exception() when any byte is unmapped or lacks the needed protection ----

    /** Copies {@code len} bytes of workload memory at {@code addr} into {@code dst} (needs PROT_READ). */
    public void copyIn(long addr, MemorySegment dst, long len) { throw new UnsupportedOperationException(); }

    /** Copies {@code len} bytes of {@code src} to workload memory at {@code addr} (needs PROT_WRITE). */
    public void copyOut(long addr, MemorySegment src, long len) { throw new UnsupportedOperationException(); }

    public byte readByte(long addr) { throw new UnsupportedOperationException(); }
    public int readInt(long addr) { throw new UnsupportedOperationException(); }
    public long readLong(long addr) { throw new UnsupportedOperationException(); }
    public void writeInt(long addr, int v) { throw new UnsupportedOperationException(); }
    public void writeLong(long addr, long v) { throw new UnsupportedOperationException(); }
    public byte[] readBytes(long addr, int len) { throw new UnsupportedOperationException(); }
    public void writeBytes(long addr, byte[] b, int off, int len) { throw new UnsupportedOperationException(); }

    /** Bytes at {@code addr} up to the first NUL or {@code max} bytes, whichever comes first; EFAULT. */
    public byte[] readBytesUntilNul(long addr, int max) { throw new UnsupportedOperationException(); }

    /** A NUL-terminated string of at most {@code max} bytes before the NUL; EFAULT, or ENAMETOOLONG if none. */
    public String readCString(long addr, int max) { throw new UnsupportedOperationException(); }

    /**
     * Zero-copy I/O: calls {@code io} on each contiguous piece of {@code [addr, addr+len)} in order, as a slice of
     * the memory file's sentry mapping, after checking PROT_WRITE ({@code forWrite}: the workload memory is
     * written, as by read(2)) or PROT_READ. Stops at a short transfer or an error. Returns the total done; if
     * nothing was done, the first error ({@code -EFAULT} for a bad first page).
     */
    public long io(long addr, long len, boolean forWrite, SegmentIo io) { throw new UnsupportedOperationException(); }

    // ---- syscalls' backends: return the result or -errno, as Linux does ----

    public long brk(long addr) { throw new UnsupportedOperationException(); }

    /** mmap(2): anonymous, or a private/shared mapping of {@code file} (may be null for anonymous). */
    public long mmap(long addr, long len, int prot, int flags, FileDescription file, long offset) {
        throw new UnsupportedOperationException();
    }

    public long munmap(long addr, long len) { throw new UnsupportedOperationException(); }
    public long mprotect(long addr, long len, int prot) { throw new UnsupportedOperationException(); }
    public long mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        throw new UnsupportedOperationException();
    }
    public long madvise(long addr, long len, int advice) { throw new UnsupportedOperationException(); }

    /** Sets the initial brk just past the loaded image (called by the loader). */
    public void setBrkBase(long base) { throw new UnsupportedOperationException(); }

    /** Drops every mapping (execve, exit). */
    public void releaseAll() { throw new UnsupportedOperationException(); }
}
