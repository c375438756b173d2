package dev.jvisor.platform.systrap;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Signals;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.FaultInfo;
import java.lang.foreign.MemorySegment;

/**
 * Runs workload code in a systrap stub thread: writes the registers into the signal frame that waits in the
 * thread's slot, lets the handler return into it, and waits for the next frame. Nothing here is a ptrace call
 * or allocates. Owned by the task thread that created it; {@link #interrupt()} alone may come from any thread.
 */
final class SystrapContext implements Context {
    /** si_code of a SIGSYS from a seccomp filter; of a SIGSEGV the kernel raises itself. */
    private static final int SYS_SECCOMP = 1, SI_KERNEL = 0x80;
    private static final int SIGINFO_CODE = 8, SIGINFO_ADDR = 16, SIGINFO_SYSCALL = 24, SIGINFO_ARCH = 28,
            SIGINFO_SIZE = 128;
    /** struct ucontext: the sigcontext's general registers, its fpstate pointer, the signal mask; its size. */
    private static final int UC_GREGS = 40, UC_FPSTATE = 40 + 23 * 8, UC_SIGMASK = 296, UC_SIZE = 304;
    private static final int G_CSGSFS = 18, G_ERR = 19, G_COUNT_RESTORED = 18;
    /** The sigcontext's registers 0..17 (r8 .. eflags) as offsets in user_regs_struct. */
    private static final int[] GREG_TO_USER = {UserRegs.R8, UserRegs.R9, UserRegs.R10, UserRegs.R11, UserRegs.R12,
        UserRegs.R13, UserRegs.R14, UserRegs.R15, UserRegs.RDI, UserRegs.RSI, UserRegs.RBP, UserRegs.RBX,
        UserRegs.RDX, UserRegs.RAX, UserRegs.RCX, UserRegs.RSP, UserRegs.RIP, UserRegs.EFLAGS};
    /** The FXSAVE area's software bytes (struct _fpx_sw_bytes) and the XSAVE header. */
    private static final int FP_MXCSR = 24, FP_MXCSR_MASK = 28, FP_SW = 464, FP_SW_END = 512, FP_SW_XSTATE_SIZE = 16,
            FP_SW_XFEATURES = 8, FP_XSTATE_BV = 512, FP_XCOMP_BV = 520, FP_HEADER_END = 576, FXSAVE_SIZE = 512;
    private static final int FP_XSTATE_MAGIC1 = 0x4650_5853;

    private final SystrapPlatform platform;
    private final Thread owner = Thread.currentThread();
    private final FaultInfo fault = new FaultInfo();

    /** FP state loaded by setFpState and not yet in a frame. */
    private final FpState fpPending;
    private final FpState initFp = new FpState(java.lang.foreign.Arena.ofAuto());
    private boolean fpIsPending;

    private SystrapAddressSpace lastAs;
    private Slot last;

    /** The handoff policy, and this context's part of it: its split slot (holding a permit), if any. */
    private final SpinPolicy spin;
    private final int spinId;
    private Slot splitSlot;
    /** Averages (1/8 weight for the newest) of the wait for the stub and of the sentry's time between switches. */
    private long waitEwma = SpinPolicy.ENTER_NS, serveEwma = SpinPolicy.ENTER_NS;
    private long lastReturn;
    /** Switches since the last change of mode; switches while split (every 16th checks for room). */
    private int dwell, checks;

    private volatile SystrapAddressSpace running;
    private volatile int runningTid;
    private volatile boolean interruptRequested;
    private final java.util.function.BooleanSupplier giveUp = () -> interruptRequested;

    SystrapContext(SystrapPlatform platform) {
        this.platform = platform;
        this.fpPending = new FpState(java.lang.foreign.Arena.ofAuto());
        this.spin = platform.spinPolicy();
        this.spinId = spin.newId();
    }

    @Override
    public Event switchToUser(AddressSpace space, Registers regs) {
        SystrapAddressSpace as = (SystrapAddressSpace) space;
        checkOwner();
        Slot s = as == lastAs ? last : enter(as);
        if (s == null || s.dead) {
            return Event.DIED;
        }
        long uc = s.toSentry(s.getLong(Slot.UCONTEXT), UC_SIZE);
        if (uc < 0) {
            return killForged(as);
        }
        MemorySegment frame = MemorySegment.ofAddress(uc).reinterpret(UC_SIZE);
        runningTid = s.tid;
        running = as;
        // Dekker with interrupt(): it writes the flag then reads running; we write running then read the flag.
        if (interruptRequested) {
            interruptRequested = false;
            running = null;
            return Event.INTERRUPT;
        }
        if (!canonical(regs.fsBase()) || !canonical(regs.gsBase()) || !userSelector(regs.get(UserRegs.CS))
                || !userSelector(regs.get(UserRegs.SS))) {
            // wrfsbase would fault in the handler, and ptrace's SETREGS refuses such selectors; Linux never lets
            // a thread have these registers: a SIGSEGV, as on the ptrace platform.
            running = null;
            fault.set(Signals.SIGSEGV, SI_KERNEL, 0);
            return Event.FAULT;
        }
        if (fpIsPending) {
            fpIsPending = false;
            storeFp(s, fpPending);
        }
        MemorySegment r = regs.segment();
        for (int i = 0; i < G_COUNT_RESTORED; i++) {
            frame.set(JAVA_LONG, UC_GREGS + 8L * i, r.get(JAVA_LONG, GREG_TO_USER[i]));
        }
        long segs = frame.get(JAVA_LONG, UC_GREGS + 8L * G_CSGSFS) & 0x0000_ffff_ffff_0000L;
        frame.set(JAVA_LONG, UC_GREGS + 8L * G_CSGSFS, segs | regs.get(UserRegs.CS) & 0xffff
                | (regs.get(UserRegs.SS) & 0xffff) << 48);
        frame.set(JAVA_LONG, UC_SIGMASK, 0); // nothing stays blocked in the stub: signals are the sentry's
        s.setLong(Slot.FS_BASE, regs.fsBase());
        s.setLong(Slot.GS_BASE, regs.gsBase());
        s.setInt(Slot.CMD, Slot.CMD_RESUME);
        long now = System.nanoTime();
        long gap = lastReturn == 0 ? 0 : now - lastReturn;
        spin.stamp(spinId, now);
        adapt(s, gap, now);
        boolean split = splitSlot == s;
        s.setInt(Slot.SPIN, split ? (int) (spinNanos(serveEwma) / SpinPolicy.POLL_NS) : 0);
        s.release();
        long seq = s.await(split ? spinNanos(waitEwma) : 0, as.aliveCheck, giveUp);
        long end = System.nanoTime();
        // Samples are clamped: one preemption or one blocking call must not end a split, a run of them does.
        waitEwma += (Math.min(end - now, SpinPolicy.CLAMP_NS) - waitEwma) >> 3;
        serveEwma += (Math.min(gap, SpinPolicy.CLAMP_NS) - serveEwma) >> 3;
        lastReturn = end;
        running = null;
        if (seq == Slot.GONE) {
            return Event.DIED;
        }
        if (seq == Slot.GAVE_UP) {
            interruptRequested = false;
            return Event.INTERRUPT;
        }
        return readEvent(as, s, regs);
    }

    /**
     * Splits or merges this context before a switch into {@code s} (see {@link SpinPolicy}): a split moves the
     * stub thread to another CPU, where both sides spin before they sleep; a merge brings it back to the task
     * thread's CPU, where both sides only sleep. A mode lasts at least DWELL switches unless the context moved to
     * another stub thread or sat blocked in the sentry for a while.
     */
    private void adapt(Slot s, long gap, long now) {
        if (dwell < SpinPolicy.DWELL) {
            dwell++;
        }
        boolean settled = dwell >= SpinPolicy.DWELL || spin.mode == SpinPolicy.Mode.ALWAYS;
        Slot cur = splitSlot;
        if (cur != null) {
            if (cur != s || cur.dead || spin.wantsMerge(settled ? waitEwma : 0, settled ? serveEwma : 0, gap)
                    || settled && (++checks & 15) == 0 && !spin.roomFor(spinId, now)) {
                merge(true);
            }
        } else if (settled && !s.dead && spin.wantsSplit(waitEwma, serveEwma)) {
            dwell = 0; // whether it splits now or has no room, it looks again DWELL switches later
            if (spin.roomFor(spinId, now) && spin.tryAcquire()) {
                if (dev.jvisor.abi.Log.debugEnabled()) {
                    dev.jvisor.abi.Log.debug("systrap: split " + s.tid + " wait " + waitEwma + " serve " + serveEwma);
                }
                platform.pinElsewhere(s.tid);
                s.split = true;
                splitSlot = s;
            }
        }
    }

    /** Ends the split (and gives its permit back); {@code repin}: the stub thread back to this thread's CPU. */
    private void merge(boolean repin) {
        Slot cur = splitSlot;
        if (dev.jvisor.abi.Log.debugEnabled()) {
            dev.jvisor.abi.Log.debug("systrap: merge " + cur.tid + " wait " + waitEwma + " serve " + serveEwma);
        }
        splitSlot = null;
        cur.split = false;
        dwell = 0;
        if (repin && !cur.dead) {
            platform.pin(cur.tid);
        }
        spin.release();
    }

    /** How long to spin for what took {@code ewma} on average: none if even the longest spin would not do. */
    private long spinNanos(long ewma) {
        if (spin.mode == SpinPolicy.Mode.ALWAYS) {
            return SpinPolicy.MAX_SPIN_NS;
        }
        return ewma > SpinPolicy.MAX_SPIN_NS ? 0 : SpinPolicy.spinNanos(ewma);
    }

    /** Reads the frame the handler just published into {@code regs} and says what happened. */
    private Event readEvent(SystrapAddressSpace as, Slot s, Registers regs) {
        long uc = s.toSentry(s.getLong(Slot.UCONTEXT), UC_SIZE);
        long si = s.toSentry(s.getLong(Slot.SIGINFO), SIGINFO_SIZE);
        if (uc < 0 || si < 0) {
            return killForged(as);
        }
        MemorySegment frame = MemorySegment.ofAddress(uc).reinterpret(UC_SIZE);
        MemorySegment info = MemorySegment.ofAddress(si).reinterpret(SIGINFO_SIZE);
        MemorySegment r = regs.segment();
        for (int i = 0; i < G_COUNT_RESTORED; i++) {
            r.set(JAVA_LONG, GREG_TO_USER[i], frame.get(JAVA_LONG, UC_GREGS + 8L * i));
        }
        long segs = frame.get(JAVA_LONG, UC_GREGS + 8L * G_CSGSFS);
        r.set(JAVA_LONG, UserRegs.CS, segs & 0xffff);
        r.set(JAVA_LONG, UserRegs.SS, (segs >>> 48) & 0xffff);
        r.set(JAVA_LONG, UserRegs.FS_BASE, s.getLong(Slot.FS_BASE));
        r.set(JAVA_LONG, UserRegs.GS_BASE, s.getLong(Slot.GS_BASE));
        r.set(JAVA_LONG, UserRegs.ORIG_RAX, -1);
        int signo = s.getInt(Slot.SIGNO);
        int code = info.get(JAVA_INT, SIGINFO_CODE);
        if (signo == Signals.SIGSYS && code == SYS_SECCOMP) {
            // A trapped syscall (RIP after the instruction; for [vsyscall] the kernel already emulated the `ret`,
            // so RIP is the caller's return address and the call must not be restarted).
            regs.origRax(info.get(JAVA_INT, SIGINFO_SYSCALL));
            return info.get(JAVA_INT, SIGINFO_ARCH) == SystrapCode.AUDIT_ARCH_I386 ? Event.SYSCALL_I386 : Event.SYSCALL;
        }
        if (isFaultSignal(signo) && code > 0) { // raised by the kernel for this instruction
            fault.set(signo, code, info.get(JAVA_LONG, SIGINFO_ADDR));
            if (signo == Signals.SIGSEGV) {
                fault.errorCode = frame.get(JAVA_LONG, UC_GREGS + 8L * G_ERR);
            }
            return Event.FAULT;
        }
        interruptRequested = false;
        return Event.INTERRUPT; // the interrupt's signal, or any host signal: the sentry looks
    }

    /**
     * The slot's pointers lead outside its stack: the workload forged it. The frame cannot be trusted, so the
     * stub process goes (SIGKILL), as a process that wrecks its own signal stack dies on Linux.
     */
    private Event killForged(SystrapAddressSpace as) {
        running = null;
        as.kill();
        return Event.DIED;
    }

    /** A selector user mode may hold: RPL 3, in the GDT, not past the 16 bits. */
    private static boolean userSelector(long sel) {
        return (sel & ~0xffffL) == 0 && (sel & 7) == 3;
    }

    private static boolean canonical(long v) {
        return (v >> 47) == 0 || (v >> 47) == -1;
    }

    private static boolean isFaultSignal(int sig) {
        return sig == Signals.SIGSEGV || sig == Signals.SIGBUS || sig == Signals.SIGFPE || sig == Signals.SIGILL
                || sig == Signals.SIGTRAP;
    }

    @Override
    public FaultInfo fault() {
        return fault;
    }

    @Override
    public void setFpState(FpState fp) {
        checkOwner();
        MemorySegment.copy(fp.segment(), 0, fpPending.segment(), 0, FpState.MAX_SIZE);
        fpPending.size(fp.size());
        fpIsPending = true;
    }

    @Override
    public void getFpState(FpState fp) {
        checkOwner();
        if (fpIsPending) {
            MemorySegment.copy(fpPending.segment(), 0, fp.segment(), 0, FpState.MAX_SIZE);
            fp.size(fpPending.size());
            return;
        }
        MemorySegment area = last == null || last.dead ? null : fpArea(last);
        if (area == null) {
            fp.resetToInit();
            return;
        }
        int n = (int) area.byteSize();
        MemorySegment img = fp.segment();
        img.fill((byte) 0);
        MemorySegment.copy(area, 0, img, 0, n);
        // NT_X86_XSTATE's format (what FpState holds): the software bytes carry XCR0 in their first word, where
        // the signal frame has its magic and sizes.
        long xcr0 = n > FXSAVE_SIZE ? area.get(JAVA_LONG, FP_SW + FP_SW_XFEATURES) : 0;
        img.asSlice(FP_SW, FP_SW_END - FP_SW).fill((byte) 0);
        img.set(JAVA_LONG, FP_SW, xcr0);
        fp.size(n);
    }

    /** The FP area of the frame waiting in {@code s} (FXSAVE, or XSAVE when its magic says so), or null. */
    private static MemorySegment fpArea(Slot s) {
        long uc = s.toSentry(s.getLong(Slot.UCONTEXT), UC_SIZE);
        if (uc < 0) {
            return null;
        }
        long fpStub = MemorySegment.ofAddress(uc).reinterpret(UC_SIZE).get(JAVA_LONG, UC_FPSTATE);
        long fx = s.toSentry(fpStub, FXSAVE_SIZE);
        if (fx < 0) {
            return null;
        }
        MemorySegment legacy = MemorySegment.ofAddress(fx).reinterpret(FXSAVE_SIZE);
        long size = FXSAVE_SIZE;
        if (legacy.get(JAVA_INT, FP_SW) == FP_XSTATE_MAGIC1) {
            long xs = legacy.get(JAVA_INT, FP_SW + FP_SW_XSTATE_SIZE) & 0xffff_ffffL;
            if (xs >= FP_HEADER_END && xs <= FpState.MAX_SIZE && s.toSentry(fpStub, xs) >= 0) {
                size = xs;
            }
        }
        return MemorySegment.ofAddress(fx).reinterpret(size);
    }

    /**
     * Puts {@code fp} into the frame's FP area so rt_sigreturn loads it, keeping what the kernel checks valid:
     * the frame's software bytes, XSTATE_BV within the frame's features, a standard (not compacted) header, and
     * MXCSR within the CPU's mask.
     */
    private void storeFp(Slot s, FpState fp) {
        MemorySegment area = fpArea(s);
        if (area == null) {
            return;
        }
        int size = (int) area.byteSize();
        int frameMask = area.get(JAVA_INT, FP_MXCSR_MASK);
        int mxcsrMask = frameMask;
        if (mxcsrMask == 0) {
            mxcsrMask = 0xffbf;
        }
        if ((fp.segment().get(JAVA_INT, FP_MXCSR) & ~mxcsrMask) != 0
                || fp.size() >= FP_HEADER_END && fp.segment().get(JAVA_LONG, FP_XCOMP_BV) != 0) {
            // An image XRSTOR would refuse: as on the ptrace platform, the init state instead.
            fp = initFp;
        }
        long features = size > FXSAVE_SIZE ? area.get(JAVA_LONG, FP_SW + FP_SW_XFEATURES) : 0;
        byte[] sw = area.asSlice(FP_SW, FP_SW_END - FP_SW).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int n = Math.min(Math.max(fp.size(), FXSAVE_SIZE), size);
        MemorySegment.copy(fp.segment(), 0, area, 0, n);
        if (n < size) {
            area.asSlice(n).fill((byte) 0);
        }
        MemorySegment.copy(sw, 0, area.asSlice(FP_SW), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, sw.length);
        area.set(JAVA_INT, FP_MXCSR_MASK, frameMask);
        if (size > FXSAVE_SIZE) {
            long bv = fp.size() >= FP_HEADER_END ? area.get(JAVA_LONG, FP_XSTATE_BV) : 0x3;
            area.set(JAVA_LONG, FP_XSTATE_BV, bv & features);
            area.asSlice(FP_XCOMP_BV, FP_HEADER_END - FP_XCOMP_BV).fill((byte) 0);
        }
    }

    @Override
    public void interrupt() {
        interruptRequested = true;
        SystrapAddressSpace as = running;
        if (as != null) {
            // The handler reports it as INTERRUPT; if it is busy (a syscall being answered), the signal waits
            // blocked until its rt_sigreturn, and the next switch comes back at once.
            as.signalThread(runningTid, SystrapPlatform.INTERRUPT_SIGNAL);
        }
    }

    private Slot enter(SystrapAddressSpace as) {
        Slot s = as.currentThread();
        lastAs = as;
        last = s;
        return s;
    }

    /** Ends this thread's stub threads in every live address space. */
    @Override
    public void release() {
        checkOwner();
        if (splitSlot != null) {
            merge(false); // its stub threads are about to exit
        }
        spin.unstamp(spinId);
        platform.detachEverywhere(owner);
        lastAs = null;
        last = null;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("systrap context used off its task thread " + owner.getName());
        }
    }
}
