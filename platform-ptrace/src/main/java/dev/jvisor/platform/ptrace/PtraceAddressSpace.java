package dev.jvisor.platform.ptrace;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.platform.AddressSpace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One stub process: the host side of a workload address space. Its mappings are changed by syscalls injected
 * into the stub; its memory is the memory file, mapped at fd {@link StubCode#MEMFD_FD}.
 *
 * <p>Owned by the thread that created it, which is the stub's tracer: every method but {@link #kill()} and
 * {@link #reap()} (used by {@link PtracePlatform#close()}) must run there. The pidfd is guarded by {@code this}.
 */
final class PtraceAddressSpace implements AddressSpace {
    private static final int P_PIDFD = 3;
    private static final int WEXITED = 4;

    private final PtracePlatform platform;
    final Thread owner;
    final Tracee tracee;
    final int cpu;
    private final MemorySegment waitInfo = Arena.ofAuto().allocate(128, 8);

    /** A pidfd for the stub, so signals from other threads never hit a reused pid. Guarded by this. */
    private int pidfd;

    PtraceAddressSpace(PtracePlatform platform, Tracee tracee, int pidfd, int cpu) {
        this.platform = platform;
        this.owner = Thread.currentThread();
        this.tracee = tracee;
        this.pidfd = pidfd;
        this.cpu = cpu;
    }

    /** The stub's host pid. */
    int pid() {
        return tracee.pid;
    }

    void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("ptrace address space used off its tracer thread " + owner.getName());
        }
    }

    @Override
    public int map(long addr, long len, int prot, long fileOffset) {
        checkOwner();
        int e = checkRange(addr, len);
        if (e != 0) {
            return e;
        }
        if ((fileOffset & ~Mman.PAGE_MASK) != 0 || fileOffset < 0) {
            return -Errno.EINVAL.number();
        }
        tracee.forgetSyscallSites();
        long r = tracee.syscall(Sysno.MMAP, addr, len, prot & (Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC),
                Mman.MAP_SHARED | Mman.MAP_FIXED, StubCode.MEMFD_FD, fileOffset);
        return r < 0 ? (int) r : 0;
    }

    @Override
    public int unmap(long addr, long len) {
        checkOwner();
        int e = checkRange(addr, len);
        tracee.forgetSyscallSites();
        return e != 0 ? e : (int) tracee.syscall(Sysno.MUNMAP, addr, len, 0, 0, 0, 0);
    }

    @Override
    public int protect(long addr, long len, int prot) {
        checkOwner();
        int e = checkRange(addr, len);
        tracee.forgetSyscallSites();
        return e != 0 ? e : (int) tracee.syscall(Sysno.MPROTECT, addr, len,
                prot & (Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC), 0, 0, 0);
    }

    /** Page-aligned, non-empty, and wholly below the stub page. */
    private static int checkRange(long addr, long len) {
        if ((addr & ~Mman.PAGE_MASK) != 0 || (len & ~Mman.PAGE_MASK) != 0 || len <= 0 || addr < 0
                || addr > StubCode.MAX_USER_ADDRESS || len > StubCode.MAX_USER_ADDRESS - addr) {
            return -Errno.EINVAL.number();
        }
        return 0;
    }

    @Override
    public long maxUserAddress() {
        return StubCode.MAX_USER_ADDRESS;
    }

    @Override
    public void release() {
        checkOwner();
        synchronized (this) {
            // pidfd < 0: close() killed and reaped it already, and the pid may be reused: do not touch it.
            if (pidfd >= 0) {
                Host.pidfdSendSignal(pidfd, Signals.SIGKILL);
            }
            while (!tracee.dead()) {
                tracee.waitStatus();
            }
            closePidfd();
        }
        platform.forget(this);
    }

    /** Sends {@code sig} to the stub, from any thread. False if it is gone. */
    synchronized boolean signal(int sig) {
        return pidfd >= 0 && Host.pidfdSendSignal(pidfd, sig) == 0;
    }

    /** SIGKILL, from any thread. */
    void kill() {
        signal(Signals.SIGKILL);
    }

    /** Waits until the (killed) stub is reaped, by whichever thread reaps it; from any thread. */
    synchronized void reap() {
        if (pidfd >= 0) {
            // ECHILD: its tracer reaped it already.
            int r;
            do {
                r = Host.waitid(P_PIDFD, pidfd, waitInfo, WEXITED | Ptrace.WALL);
            } while (r == -Errno.EINTR.number());
            closePidfd();
        }
    }

    private void closePidfd() {
        if (pidfd >= 0) {
            Host.close(pidfd);
            pidfd = -1;
        }
    }
}
