package dev.jvisor.platform.ptrace;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Sysno;
import dev.jvisor.abi.Time;
import dev.jvisor.sentry.platform.AddressSpace;

/**
 * An address space held by a stub process, on either platform of this module: mappings are the stub's own
 * mmap/munmap/mprotect of the memory file (fd {@link StubCode#MEMFD_FD}), made by whatever way the platform has
 * of running a syscall in the stub (ptrace injection, a systrap request). The checks and arguments live here once.
 */
public abstract class StubAddressSpace implements AddressSpace {
    private static final int PROT_MASK = Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC;

    private final long limit;

    /** {@code limit}: the highest address (exclusive) workload mappings may use; the stub's pages lie above. */
    protected StubAddressSpace(long limit) {
        this.limit = limit;
    }

    /** Has the calling task's stub thread run syscall {@code nr}; returns its result or {@code -errno}. */
    protected abstract long stubSyscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

    /** The host pid of the stub process. */
    protected abstract int stubPid();

    @Override
    public final int map(long addr, long len, int prot, long fileOffset) {
        int e = checkRange(addr, len);
        if (e != 0) {
            return e;
        }
        if ((fileOffset & ~Mman.PAGE_MASK) != 0 || fileOffset < 0) {
            return -Errno.EINVAL.number();
        }
        long r = stubSyscall(Sysno.MMAP, addr, len, prot & PROT_MASK, Mman.MAP_SHARED | Mman.MAP_FIXED,
                StubCode.MEMFD_FD, fileOffset);
        return r < 0 ? (int) r : 0;
    }

    @Override
    public final int unmap(long addr, long len) {
        int e = checkRange(addr, len);
        return e != 0 ? e : (int) stubSyscall(Sysno.MUNMAP, addr, len, 0, 0, 0, 0);
    }

    @Override
    public final int protect(long addr, long len, int prot) {
        int e = checkRange(addr, len);
        return e != 0 ? e : (int) stubSyscall(Sysno.MPROTECT, addr, len, prot & PROT_MASK, 0, 0, 0);
    }

    @Override
    public final long maxUserAddress() {
        return limit;
    }

    /**
     * The stub process's CPU time: the host's process clock of its pid (CPUCLOCK_SCHED), which the host lets any
     * process read; a thread clock of another process's thread it refuses (EINVAL).
     */
    @Override
    public final long cpuTimeNanos() {
        return Host.cpuClockNanos(Time.processCpuClock(stubPid()));
    }

    /** Page-aligned, non-empty, and wholly below the limit. */
    private int checkRange(long addr, long len) {
        if ((addr & ~Mman.PAGE_MASK) != 0 || (len & ~Mman.PAGE_MASK) != 0 || len <= 0 || addr < 0
                || addr > limit || len > limit - addr) {
            return -Errno.EINVAL.number();
        }
        return 0;
    }
}
