package dev.jvisor.sentry.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.SigFrame;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.arch.Registers;
import java.lang.foreign.MemorySegment;

/**
 * The x86-64 {@code rt_sigframe}: built on the user stack (or the alternate stack) to run a handler, and read
 * back by rt_sigreturn(2). Layout and rules follow Linux's arch/x86/kernel/signal.c: below the interrupted stack
 * pointer and its 128-byte red zone lies the FP/XSAVE image (64-byte aligned, with the {@code _fpx_sw_bytes}
 * magic and the trailing FP_XSTATE_MAGIC2), then the frame (aligned so that the handler starts with
 * {@code rsp % 16 == 8}, as after a call): the restorer as return address, the ucontext, the siginfo.
 */
final class SignalFrame {
    private SignalFrame() {}

    /** Scratch offsets: the frame, then the legacy FP area read back by sigreturn. */
    private static final int FRAME_AT = 0, FX_AT = 1024;

    /**
     * Builds the frame for {@code info} with action {@code act} (handler, flags, restorer, mask) and points the
     * registers at the handler. Returns false when the frame cannot be built (no SA_RESTORER, unwritable stack,
     * alternate-stack overflow); the caller then forces SIGSEGV, as Linux does.
     */
    static boolean setup(Task t, SignalInfo info, long[] act) {
        int sig = info.signo();
        long flags = act[1];
        if ((flags & Signals.SA_RESTORER) == 0) {
            return false; // x86-64 has no default restorer: Linux refuses such a frame
        }
        Registers r = t.regs();
        TaskSignals ts = t.signals();
        long sp = r.rsp();
        boolean nested = ts.onAltStack(sp);
        sp -= SigFrame.REDZONE;
        boolean entering = false;
        if ((flags & Signals.SA_ONSTACK) != 0 && ts.sasSsFlags(sp) == 0) {
            sp = ts.altSp() + ts.altSize();
            entering = true;
        }
        FpState fp = t.fpState();
        readFp(t, fp);
        int fpSize = fp.size();
        boolean xsave = fpSize > SigFrame.FXSAVE_SIZE;
        int fpFrame = xsave ? fpSize + SigFrame.MAGIC2_SIZE : SigFrame.FXSAVE_SIZE;
        long bufFx = (sp - fpFrame) & ~63L;
        long frame = ((bufFx - SigFrame.SIZE) & ~15L) - 8;
        if ((nested || entering) && !ts.inAltStack(frame)) {
            return false; // would overflow the alternate stack
        }
        long frameMask = ts.restoreMaskPending() ? ts.savedMask() : t.signalMask();

        MemorySegment s = t.scratch().asSlice(FRAME_AT, SigFrame.SIZE);
        s.fill((byte) 0);
        s.set(JAVA_LONG_UNALIGNED, SigFrame.PRETCODE, act[2]);
        int uc = SigFrame.UC;
        long ucFlags = SigFrame.UC_SIGCONTEXT_SS | SigFrame.UC_STRICT_RESTORE_SS | (xsave ? SigFrame.UC_FP_XSTATE : 0);
        s.set(JAVA_LONG_UNALIGNED, uc + SigFrame.UC_FLAGS, ucFlags);
        s.set(JAVA_LONG_UNALIGNED, uc + SigFrame.UC_LINK, 0);
        int st = uc + SigFrame.UC_STACK;
        s.set(JAVA_LONG_UNALIGNED, st + SigFrame.SS_SP, ts.altSp());
        s.set(JAVA_INT_UNALIGNED, st + SigFrame.SS_FLAGS, ts.altFlags());
        s.set(JAVA_LONG_UNALIGNED, st + SigFrame.SS_SIZE, ts.altSize());
        int sc = uc + SigFrame.UC_MCONTEXT;
        for (int i = 0; i < SigFrame.SC_GREGS.length; i++) {
            s.set(JAVA_LONG_UNALIGNED, sc + 8L * i, r.get(SigFrame.SC_GREGS[i]));
        }
        s.set(JAVA_SHORT_UNALIGNED, sc + SigFrame.SC_CS, (short) r.get(UserRegs.CS));
        s.set(JAVA_SHORT_UNALIGNED, sc + SigFrame.SC_SS, (short) r.get(UserRegs.SS));
        s.set(JAVA_LONG_UNALIGNED, sc + SigFrame.SC_ERR, info.err);
        s.set(JAVA_LONG_UNALIGNED, sc + SigFrame.SC_TRAPNO, info.trapno);
        s.set(JAVA_LONG_UNALIGNED, sc + SigFrame.SC_OLDMASK, frameMask);
        s.set(JAVA_LONG_UNALIGNED, sc + SigFrame.SC_CR2, info.cr2);
        s.set(JAVA_LONG_UNALIGNED, sc + SigFrame.SC_FPSTATE, bufFx);
        s.set(JAVA_LONG_UNALIGNED, uc + SigFrame.UC_SIGMASK, frameMask);
        boolean siginfo = (flags & Signals.SA_SIGINFO) != 0;
        if (siginfo) {
            MemorySegment.copy(info.segment(), 0, s, SigFrame.INFO, SigInfo.SIZE);
        }

        MemorySegment img = fp.segment();
        if (xsave) {
            int sw = SigFrame.SW_BYTES;
            long xfeatures = cpuXfeatures;
            img.asSlice(sw, SigFrame.FXSAVE_SIZE - sw).fill((byte) 0);
            img.set(JAVA_INT_UNALIGNED, sw + SigFrame.SW_MAGIC1, SigFrame.FP_XSTATE_MAGIC1);
            img.set(JAVA_INT_UNALIGNED, sw + SigFrame.SW_EXTENDED_SIZE, fpSize + SigFrame.MAGIC2_SIZE);
            img.set(JAVA_LONG_UNALIGNED, sw + SigFrame.SW_XFEATURES, xfeatures);
            img.set(JAVA_INT_UNALIGNED, sw + SigFrame.SW_XSTATE_SIZE, fpSize);
            img.set(JAVA_INT_UNALIGNED, fpSize, SigFrame.FP_XSTATE_MAGIC2);
        }
        try {
            t.mm().copyOut(frame, s, siginfo ? SigFrame.SIZE : SigFrame.INFO);
            t.mm().copyOut(bufFx, img, fpFrame);
        } catch (ErrnoException e) {
            return false;
        }

        r.rdi(sig);
        r.rax(0);
        r.rsi(frame + SigFrame.INFO);
        r.rdx(frame + SigFrame.UC);
        r.rip(act[0]);
        r.rsp(frame);
        r.set(UserRegs.CS, SigFrame.USER_CS);
        r.set(UserRegs.SS, SigFrame.USER_DS);
        SignalDelivery.handlerFlags(r);
        // The handler starts with a clean FPU, as on Linux.
        fp.resetToInit();
        t.context().setFpState(fp);
        SignalDelivery.blockForHandler(t, sig, act);
        if ((ts.altFlags() & SigFrame.SS_AUTODISARM) != 0) {
            ts.altStack(0, 0, SigFrame.SS_DISABLE);
        }
        ts.clearSavedMask();
        return true;
    }

    /**
     * The CPU's XSAVE features (XCR0) and XSAVE size, learned from the first image the platform reads from a
     * thread: PTRACE_GETREGSET puts XCR0 in the first software-reserved word of the legacy area.
     */
    private static volatile long cpuXfeatures = 3;
    private static volatile int cpuXsaveSize;

    /**
     * Reads the task's FP state in the CPU's full format. An image the sentry has set but not yet loaded (a
     * handler's init state, when frames are stacked) is widened to the CPU's size: the added bytes are zero,
     * which XSAVE reads as "component in its init state".
     */
    private static void readFp(Task t, FpState fp) {
        t.context().getFpState(fp);
        long xcr0 = fp.segment().get(JAVA_LONG_UNALIGNED, SigFrame.SW_BYTES);
        if (fp.size() > SigFrame.FXSAVE_SIZE + SigFrame.XSAVE_HEADER_SIZE && (xcr0 & 3) == 3) {
            cpuXfeatures = xcr0;
            cpuXsaveSize = fp.size();
        } else if (cpuXsaveSize > fp.size()) {
            fp.segment().asSlice(fp.size(), cpuXsaveSize - fp.size()).fill((byte) 0);
            fp.size(cpuXsaveSize);
        }
    }

    /**
     * Implements rt_sigreturn(2): restores the registers, mask, alternate stack and FP state saved by
     * {@link #setup}. The return address has been popped, so the frame starts 8 bytes below RSP. A frame that
     * cannot be read or holds an FP image the CPU would refuse gets SIGSEGV, as on Linux; segment selectors
     * that user mode cannot have are caught when the platform loads them (a SIGSEGV fault as well).
     */
    static long sigreturn(Task t) {
        Registers r = t.regs();
        long frame = r.rsp() - 8;
        MemorySegment s = t.scratch().asSlice(FRAME_AT, SigFrame.SIZE);
        try {
            t.mm().copyIn(frame + SigFrame.UC, s, SigFrame.UC_SIZE);
        } catch (ErrnoException e) {
            return badFrame(t);
        }
        long ucFlags = s.get(JAVA_LONG_UNALIGNED, SigFrame.UC_FLAGS);
        t.signalMask(s.get(JAVA_LONG_UNALIGNED, SigFrame.UC_SIGMASK));
        int sc = SigFrame.UC_MCONTEXT;
        for (int i = 0; i < SigFrame.SC_GREGS.length; i++) {
            int reg = SigFrame.SC_GREGS[i];
            long v = s.get(JAVA_LONG_UNALIGNED, sc + 8L * i);
            if (reg == UserRegs.EFLAGS) {
                v = (r.eflags() & ~SigFrame.FIX_EFLAGS) | (v & SigFrame.FIX_EFLAGS);
            }
            r.set(reg, v);
        }
        r.set(UserRegs.CS, (s.get(JAVA_SHORT_UNALIGNED, sc + SigFrame.SC_CS) & 0xffff) | 3);
        long ss = (s.get(JAVA_SHORT_UNALIGNED, sc + SigFrame.SC_SS) & 0xffff) | 3;
        if ((ucFlags & SigFrame.UC_STRICT_RESTORE_SS) == 0 && ss != SigFrame.USER_DS) {
            ss = SigFrame.USER_DS; // force_valid_ss: old frames without a saved SS get the user data segment
        }
        r.set(UserRegs.SS, ss);
        long fpstate = s.get(JAVA_LONG_UNALIGNED, sc + SigFrame.SC_FPSTATE);
        int st = SigFrame.UC_STACK;
        long ssSp = s.get(JAVA_LONG_UNALIGNED, st + SigFrame.SS_SP);
        int ssFlags = s.get(JAVA_INT_UNALIGNED, st + SigFrame.SS_FLAGS);
        long ssSize = s.get(JAVA_LONG_UNALIGNED, st + SigFrame.SS_SIZE);
        if (!restoreFp(t, fpstate)) {
            return badFrame(t);
        }
        // restore_altstack: errors (EPERM while on the stack, EINVAL, ENOMEM) are ignored.
        AltStack.set(t, ssSp, ssFlags, ssSize, r.rsp());
        t.signals().restartBlock(null);
        return r.rax();
    }

    private static long badFrame(Task t) {
        SignalDelivery.force(t, SignalInfo.fault(Signals.SIGSEGV, SigInfo.SI_KERNEL, 0));
        return 0;
    }

    /**
     * Loads the FP image at {@code buf} (0: the init state). An image without valid magic is taken as legacy
     * FXSAVE only, every other component in its init state; one the CPU would reject (reserved MXCSR or XSAVE
     * header bits, components the CPU lacks, misalignment) fails, as XRSTOR's #GP fails Linux's sigreturn.
     */
    private static boolean restoreFp(Task t, long buf) {
        FpState fp = t.fpState();
        if (buf == 0) {
            fp.resetToInit();
            t.context().setFpState(fp);
            return true;
        }
        readFp(t, fp);
        int size = fp.size();
        MemorySegment img = fp.segment();
        boolean xsave = size > SigFrame.FXSAVE_SIZE;
        int sw = SigFrame.SW_BYTES;
        long cpuFeatures = xsave ? cpuXfeatures : 3;
        if ((buf & (xsave ? 63 : 15)) != 0) {
            return false;
        }
        MemorySegment fx = t.scratch().asSlice(FX_AT, SigFrame.FXSAVE_SIZE);
        long features = 3;
        try {
            t.mm().copyIn(buf, fx, SigFrame.FXSAVE_SIZE);
            boolean full = false;
            if (xsave && fx.get(JAVA_INT_UNALIGNED, sw + SigFrame.SW_MAGIC1) == SigFrame.FP_XSTATE_MAGIC1) {
                int xsize = fx.get(JAVA_INT_UNALIGNED, sw + SigFrame.SW_XSTATE_SIZE);
                int ext = fx.get(JAVA_INT_UNALIGNED, sw + SigFrame.SW_EXTENDED_SIZE);
                if (xsize >= SigFrame.FXSAVE_SIZE + SigFrame.XSAVE_HEADER_SIZE && xsize <= size && xsize <= ext
                        && t.mm().readInt(buf + xsize) == SigFrame.FP_XSTATE_MAGIC2) {
                    full = true;
                    features = fx.get(JAVA_LONG_UNALIGNED, sw + SigFrame.SW_XFEATURES) & cpuFeatures;
                    img.fill((byte) 0);
                    t.mm().copyIn(buf, img, xsize);
                }
            }
            if (!full) {
                img.fill((byte) 0);
                MemorySegment.copy(fx, 0, img, 0, SigFrame.FXSAVE_SIZE);
                if (xsave) {
                    img.set(JAVA_LONG_UNALIGNED, SigFrame.XSTATE_BV, 3);
                }
            }
        } catch (ErrnoException e) {
            return false;
        }
        if ((img.get(JAVA_INT_UNALIGNED, SigFrame.MXCSR) & 0xffff0000) != 0) {
            return false;
        }
        if (xsave) {
            long bv = img.get(JAVA_LONG_UNALIGNED, SigFrame.XSTATE_BV);
            if ((bv & ~cpuFeatures) != 0) {
                return false;
            }
            for (int off = SigFrame.XCOMP_BV; off < SigFrame.XSTATE_BV + SigFrame.XSAVE_HEADER_SIZE; off += 8) {
                if (img.get(JAVA_LONG_UNALIGNED, off) != 0) {
                    return false;
                }
            }
            // Components the frame does not restore take their init state.
            img.set(JAVA_LONG_UNALIGNED, SigFrame.XSTATE_BV, bv & features);
            img.asSlice(sw, SigFrame.FXSAVE_SIZE - sw).fill((byte) 0);
        }
        fp.size(size);
        t.context().setFpState(fp);
        return true;
    }
}
