package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.FaultInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs workload code in a stub with PTRACE_SYSEMU: SETREGS, SYSEMU, waitpid, GETREGS. The stub never executes a
 * syscall of the workload (SYSEMU stops before it and skips it), and no host signal is ever delivered to it: each
 * resume passes signal 0.
 *
 * <p>Owned by the task thread that created it; {@link #interrupt()} alone may come from any thread. The hot path
 * allocates nothing.
 */
final class PtraceContext implements Context {
    /** si_code of a SIGSEGV the kernel raises itself (#GP); also used when registers cannot be loaded. */
    private static final int SI_KERNEL = 0x80;
    private static final int SIGINFO_CODE = 8, SIGINFO_ADDR = 16, SIGINFO_SYSCALL = 24;
    /** si_code of a SIGSYS from a seccomp filter. */
    private static final int SYS_SECCOMP = 1;
    /** {@code int 0x80} as a little-endian 16-bit word. */
    private static final int INT80 = 0x80cd;
    private static final int SYSCALL_STOP = Signals.SIGTRAP | 0x80;

    private final PtracePlatform platform;
    private final Thread owner = Thread.currentThread();
    private final FaultInfo fault = new FaultInfo();

    // Native scratch, owned by the task thread.
    private final MemorySegment siginfo;
    private final MemorySegment word;
    private final MemorySegment iov;
    /** FP state loaded by setFpState and not yet in a stub. */
    private final MemorySegment fpImage;
    private int fpImageSize;
    private boolean fpPending;

    /** The address space of the last switch and this thread's stub thread in it, which holds the registers. */
    private PtraceAddressSpace lastAs;
    private Tracee last;

    /** The address space and stub thread being run, for interrupt(); null outside switchToUser. */
    private volatile PtraceAddressSpace running;
    private volatile int runningTid;
    private volatile boolean interruptRequested;

    PtraceContext(PtracePlatform platform) {
        this.platform = platform;
        Arena arena = Arena.ofAuto();
        this.siginfo = arena.allocate(128, 8);
        this.word = arena.allocate(8, 8);
        this.iov = arena.allocate(16, 8);
        this.fpImage = arena.allocate(FpRegisters.MAX_SIZE, 64);
    }

    @Override
    public Event switchToUser(AddressSpace space, Registers regs) {
        PtraceAddressSpace as = (PtraceAddressSpace) space;
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("ptrace context used off its task thread " + owner.getName());
        }
        Tracee t = as == lastAs ? last : enter(as);
        if (t == null || t.dead()) {
            return Event.DIED;
        }
        runningTid = t.pid;
        running = as;
        // Dekker with interrupt(): it writes the flag then reads running; we write running then read the flag.
        if (interruptRequested | t.takeSignalSeen()) {
            interruptRequested = false;
            running = null;
            return Event.INTERRUPT;
        }
        int pid = t.pid;
        if (fpPending) {
            loadFpState(pid);
        }
        MemorySegment r = regs.segment();
        long e = writeBack(t, r);
        if (e < 0) {
            running = null;
            t.shadowValid = false; // SETREGS stops at the first bad register, having written those before it
            if (e == -Errno.ESRCH.number()) { // killed from outside while stopped
                t.waitStatus();
                return t.dead() ? Event.DIED : Event.INTERRUPT;
            }
            // Registers Linux would never let a process have (a non-canonical FS base, say): like a bad
            // sigreturn, that is a SIGSEGV.
            fault.set(Signals.SIGSEGV, SI_KERNEL, 0);
            return Event.FAULT;
        }
        Host.ptrace(Ptrace.SYSEMU, pid, 0, 0); // fails only if the stub died; waitStatus sees that
        int st = t.waitStatus();
        if (t.dead()) {
            running = null;
            return Event.DIED;
        }
        t.shadowValid = Host.ptrace(Ptrace.GETREGS, pid, 0, r.address()) == 0;
        MemorySegment.copy(r, 0, t.shadow, 0, UserRegs.SIZE);
        int sig = Ptrace.stopSig(st);
        if (sig == SYSCALL_STOP) {
            running = null;
            return isI386(t, as.generation(), regs) ? Event.SYSCALL_I386 : Event.SYSCALL;
        }
        if (sig == Signals.SIGSYS && Ptrace.event(st) == 0
                && Host.ptrace(Ptrace.GETSIGINFO, pid, 0, siginfo.address()) == 0
                && siginfo.get(JAVA_INT, SIGINFO_CODE) == SYS_SECCOMP) {
            // A [vsyscall] call, trapped by the stub's filter: the kernel already emulated its `ret`, so RIP is
            // the caller's return address. The sentry answers it like any syscall (and must not restart it).
            regs.origRax(siginfo.get(JAVA_INT, SIGINFO_SYSCALL));
            running = null;
            return Event.SYSCALL;
        }
        if (Ptrace.event(st) == 0 && isFaultSignal(sig)
                && Host.ptrace(Ptrace.GETSIGINFO, pid, 0, siginfo.address()) == 0) {
            int code = siginfo.get(JAVA_INT, SIGINFO_CODE);
            if (code > 0) { // raised by the kernel for this instruction, not sent by kill/tgkill/sigqueue
                fault.set(sig, code, siginfo.get(JAVA_LONG, SIGINFO_ADDR));
                running = null;
                return Event.FAULT;
            }
        }
        // An interrupt's SIGSTOP, any host signal, a group-stop: the sentry looks; the signal is dropped.
        interruptRequested = false;
        running = null;
        return Event.INTERRUPT;
    }

    private static boolean isFaultSignal(int sig) {
        return sig == Signals.SIGSEGV || sig == Signals.SIGBUS || sig == Signals.SIGFPE || sig == Signals.SIGILL
                || sig == Signals.SIGTRAP;
    }

    /**
     * Loads {@code r} into the stopped stub. When the stub still holds the registers of its last stop except
     * RAX (a syscall's result), one POKEUSER does; otherwise SETREGS, with {@code orig_rax = -1} so that no
     * kernel syscall-restart logic rewrites RIP/RAX on the way out (the sentry does its own restarts). The POKE
     * path keeps the stop's orig_rax, so it is taken only when RAX is no ERESTART* code (-512..-516).
     */
    private static long writeBack(Tracee t, MemorySegment r) {
        long rax = r.get(JAVA_LONG, UserRegs.RAX);
        if (t.shadowValid && (rax < -516 || rax > -512)
                && MemorySegment.mismatch(r, 0, UserRegs.RAX, t.shadow, 0, UserRegs.RAX) < 0
                && MemorySegment.mismatch(r, UserRegs.RAX + 8, UserRegs.SIZE, t.shadow, UserRegs.RAX + 8,
                        UserRegs.SIZE) < 0) {
            return rax == t.shadow.get(JAVA_LONG, UserRegs.RAX) ? 0
                    : Host.ptrace(Ptrace.POKEUSER, t.pid, UserRegs.RAX, rax);
        }
        r.set(JAVA_LONG, UserRegs.ORIG_RAX, -1);
        return Host.ptrace(Ptrace.SETREGS, t.pid, 0, r.address());
    }

    /**
     * Whether a SYSEMU stop came from {@code int 0x80} rather than {@code syscall}: the two bytes before RIP
     * decide. A {@code syscall} leaves RCX = RIP; a site already read as {@code syscall} is not read again
     * while the mappings stay the same.
     */
    private boolean isI386(Tracee t, int generation, Registers regs) {
        long rip = regs.rip();
        boolean rcxIsRip = regs.rcx() == rip;
        if (rcxIsRip && t.knownSyscallSite(rip, generation)) {
            return false;
        }
        boolean i386 = isInt80(t.pid, rip);
        if (!i386 && rcxIsRip) {
            t.rememberSyscallSite(rip);
        }
        return i386;
    }

    /** Whether the two bytes before {@code rip} are {@code int 0x80} (SYSEMU stops there too). */
    private boolean isInt80(int pid, long rip) {
        if (Host.ptrace(Ptrace.PEEKDATA, pid, rip - 2, word.address()) == 0) {
            return (word.get(JAVA_LONG, 0) & 0xffff) == INT80;
        }
        // rip-2+8 crosses into an unmapped page: read the word that ends at rip instead.
        if (Host.ptrace(Ptrace.PEEKDATA, pid, rip - 8, word.address()) == 0) {
            return (word.get(JAVA_LONG, 0) >>> 48) == INT80;
        }
        return false;
    }

    @Override
    public FaultInfo fault() {
        return fault;
    }

    @Override
    public void setFpState(FpState fp) {
        checkOwner();
        int n = Math.min(fp.size(), FpRegisters.MAX_SIZE);
        MemorySegment.copy(fp.segment(), 0, fpImage, 0, n);
        fpImage.asSlice(n).fill((byte) 0); // zero = init for every component beyond what fp holds
        fpImageSize = n;
        fpPending = true;
    }

    @Override
    public void getFpState(FpState fp) {
        checkOwner();
        if (fpPending) {
            MemorySegment.copy(fpImage, 0, fp.segment(), 0, FpRegisters.MAX_SIZE);
            fp.size(fpImageSize);
            return;
        }
        if (last != null && !last.dead()) {
            long n = FpRegisters.get(last.pid, platform.xstateSize(), fp.segment(), iov);
            if (n > 0) {
                fp.size((int) n);
                return;
            }
        }
        fp.resetToInit();
    }

    /** SETREGSET of the pending image; an image the kernel rejects (bad MXCSR, bad header) loads init state. */
    private void loadFpState(int pid) {
        fpPending = false;
        int size = platform.xstateSize();
        if (FpRegisters.set(pid, size, fpImage, iov) < 0) {
            Log.debug("ptrace: FP state rejected by the kernel; loading the init state");
            FpState init = platform.initFpState();
            FpRegisters.set(pid, size, init.segment(), iov);
        }
    }

    @Override
    public void interrupt() {
        interruptRequested = true;
        PtraceAddressSpace as = running;
        if (as != null) {
            // Stops this context's stub thread (thread-directed): switchToUser sees a signal-delivery-stop and
            // returns INTERRUPT; the signal is dropped there.
            as.signalThread(runningTid, Signals.SIGSTOP);
        }
    }

    /** The first switch into {@code as} from this thread: its stub thread there (created if need be). */
    private Tracee enter(PtraceAddressSpace as) {
        Tracee t = as.currentThread();
        lastAs = as;
        last = t;
        return t;
    }

    /** Ends this thread's stub threads in every live address space (an exit of the thread only). */
    @Override
    public void release() {
        checkOwner();
        platform.detachEverywhere(owner);
        lastAs = null;
        last = null;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("ptrace context used off its task thread " + owner.getName());
        }
    }
}
