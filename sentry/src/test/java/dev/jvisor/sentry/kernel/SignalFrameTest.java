package dev.jvisor.sentry.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.SigFrame;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.mm.RecordingAddressSpace;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.FaultInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rt_sigframe as bytes in workload memory: where it goes, what each field holds, how the registers point at
 * the handler, and that rt_sigreturn gives everything back. A fake context stands in for the platform's FP
 * registers with an XSAVE image of 832 bytes (x87, SSE, AVX).
 */
class SignalFrameTest {
    private static final long HANDLER = 0x402000, RESTORER = 0x403000, RIP = 0x401002;
    private static final int XSAVE_SIZE = 832;
    private static final long XCR0 = 0x7;

    /** The platform's FP registers: an XSAVE image, with XCR0 where PTRACE_GETREGSET puts it. */
    private static final class FakeContext implements Context {
        final MemorySegment regs = Arena.ofAuto().allocate(FpState.MAX_SIZE, 64);
        int loads;

        FakeContext() {
            for (int i = 160; i < 416; i++) {          // XMM0-15: a recognizable pattern
                regs.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            regs.set(JAVA_INT, SigFrame.MXCSR, 0x7f80);
            regs.set(JAVA_LONG, SigFrame.SW_BYTES, XCR0);
            regs.set(JAVA_LONG, SigFrame.XSTATE_BV, 0x7);
        }

        @Override public Event switchToUser(AddressSpace as, Registers r) { throw new UnsupportedOperationException(); }
        @Override public FaultInfo fault() { return null; }
        @Override public void interrupt() { }
        @Override public void release() { }

        @Override
        public void getFpState(FpState fp) {
            MemorySegment.copy(regs, 0, fp.segment(), 0, XSAVE_SIZE);
            fp.size(XSAVE_SIZE);
        }

        @Override
        public void setFpState(FpState fp) {
            regs.fill((byte) 0);
            MemorySegment.copy(fp.segment(), 0, regs, 0, Math.min(fp.size(), XSAVE_SIZE));
            regs.set(JAVA_LONG, SigFrame.SW_BYTES, XCR0); // what the next GETREGSET reports
            loads++;
        }
    }

    private MemoryFile file;
    private MemoryManager mm;
    private final FakeContext ctx = new FakeContext();
    private final ThreadGroup tg = new ThreadGroup(1, 0);
    private Task task;
    private long stackTop;

    @BeforeEach
    void setUp() {
        file = new MemoryFile(1L << 30, 1L << 30);
        mm = new MemoryManager(file, new RecordingAddressSpace());
        Kernel k = new Kernel(file, null, null, "test");
        task = new Task(k, tg, 1, new Credentials(1000, 1000, new int[0]));
        k.register(task);
        task.mm(mm);
        task.context(ctx);
        long base = mm.mmap(0, 1 << 16, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        stackTop = base + (1 << 16);
        Registers r = task.regs();
        r.resetForExec(RIP, stackTop - 0x1003);
        r.rax(Errno.ERESTARTSYS.ret());
        r.set(UserRegs.RBX, 0x1111);
        r.set(UserRegs.R15, 0x1515);
        r.eflags(0x246 | 0x400); // DF set: the handler must start with it clear
        task.args().nr = Sysno.READ;
    }

    @AfterEach
    void tearDown() {
        mm.releaseAll();
        file.close();
    }

    private void handle(long flags) {
        task.signalActions().set(Signals.SIGUSR1, HANDLER, flags | Signals.SA_RESTORER, RESTORER,
                SignalQueue.bit(Signals.SIGHUP));
        SignalDelivery.sendToTask(task, SignalInfo.fromProcess(Signals.SIGUSR1, SigInfo.SI_USER, 42, 1000));
        SignalDelivery.beforeUserMode(task, true);
    }

    @Test
    void theHandlerStartsOnAFrameLikeLinuxs() {
        long oldSp = task.regs().rsp();
        handle(Signals.SA_SIGINFO);
        Registers r = task.regs();
        long frame = r.rsp();
        assertEquals(HANDLER, r.rip());
        assertEquals(Signals.SIGUSR1, r.rdi());
        assertEquals(frame + SigFrame.INFO, r.rsi());
        assertEquals(frame + SigFrame.UC, r.rdx());
        assertEquals(0, r.rax());
        assertEquals(8, frame & 15, "as after a call: rsp + 8 is 16-byte aligned");
        assertTrue(frame + SigFrame.SIZE <= oldSp - SigFrame.REDZONE, "below the red zone");
        assertEquals(0, r.eflags() & 0x400, "DF cleared");
        assertEquals(SignalQueue.bit(Signals.SIGUSR1) | SignalQueue.bit(Signals.SIGHUP), task.signalMask());

        assertEquals(RESTORER, mm.readLong(frame + SigFrame.PRETCODE));
        long uc = frame + SigFrame.UC, sc = uc + SigFrame.UC_MCONTEXT;
        assertEquals(SigFrame.UC_FP_XSTATE | SigFrame.UC_SIGCONTEXT_SS | SigFrame.UC_STRICT_RESTORE_SS,
                mm.readLong(uc + SigFrame.UC_FLAGS));
        assertEquals(SigFrame.SS_DISABLE, mm.readInt(uc + SigFrame.UC_STACK + SigFrame.SS_FLAGS));
        assertEquals(RIP, mm.readLong(sc + SigFrame.SC_RIP), "the syscall is not restarted");
        assertEquals(Errno.EINTR.ret(), mm.readLong(sc + SigFrame.SC_RAX), "ERESTARTSYS without SA_RESTART");
        assertEquals(0x1111, mm.readLong(sc + SigFrame.SC_RBX));
        assertEquals(0x1515, mm.readLong(sc + SigFrame.SC_R15));
        assertEquals(oldSp, mm.readLong(sc + SigFrame.SC_RSP));
        assertEquals(SigFrame.USER_CS, mm.readInt(sc + SigFrame.SC_CS) & 0xffff);
        assertEquals(0, mm.readLong(sc + SigFrame.SC_OLDMASK));
        assertEquals(0, mm.readLong(uc + SigFrame.UC_SIGMASK));

        long fp = mm.readLong(sc + SigFrame.SC_FPSTATE);
        assertEquals(0, fp & 63, "the XSAVE area is 64-byte aligned");
        assertTrue(fp >= frame + SigFrame.SIZE && fp + XSAVE_SIZE + 4 <= oldSp - SigFrame.REDZONE);
        assertEquals(SigFrame.FP_XSTATE_MAGIC1, mm.readInt(fp + SigFrame.SW_BYTES));
        assertEquals(XSAVE_SIZE + 4, mm.readInt(fp + SigFrame.SW_BYTES + SigFrame.SW_EXTENDED_SIZE));
        assertEquals(XCR0, mm.readLong(fp + SigFrame.SW_BYTES + SigFrame.SW_XFEATURES));
        assertEquals(XSAVE_SIZE, mm.readInt(fp + SigFrame.SW_BYTES + SigFrame.SW_XSTATE_SIZE));
        assertEquals(SigFrame.FP_XSTATE_MAGIC2, mm.readInt(fp + XSAVE_SIZE));
        assertEquals(0x7f80, mm.readInt(fp + SigFrame.MXCSR));
        assertEquals(0x1f80, ctx.regs.get(JAVA_INT, SigFrame.MXCSR), "the handler starts with the init FP state");

        long info = frame + SigFrame.INFO;
        assertEquals(Signals.SIGUSR1, mm.readInt(info + SigInfo.SIGNO));
        assertEquals(SigInfo.SI_USER, mm.readInt(info + SigInfo.CODE));
        assertEquals(42, mm.readInt(info + SigInfo.PID));
    }

    @Test
    void saRestartRestartsTheInterruptedSyscallAfterTheHandler() {
        handle(Signals.SA_RESTART);
        long sc = task.regs().rsp() + SigFrame.UC + SigFrame.UC_MCONTEXT;
        assertEquals(RIP - 2, mm.readLong(sc + SigFrame.SC_RIP), "back on the syscall instruction");
        assertEquals(Sysno.READ, mm.readLong(sc + SigFrame.SC_RAX));
    }

    @Test
    void rtSigreturnRestoresRegistersMaskAndFpState() {
        long oldSp = task.regs().rsp();
        MemorySegment before = Arena.ofAuto().allocate(XSAVE_SIZE);
        MemorySegment.copy(ctx.regs, 0, before, 0, XSAVE_SIZE);
        handle(Signals.SA_SIGINFO);
        Registers r = task.regs();
        r.set(UserRegs.RBX, 0xdead);
        r.rsp(r.rsp() + 8); // the handler's ret popped the restorer's address
        assertEquals(Errno.EINTR.ret(), SignalDelivery.sigreturn(task), "rt_sigreturn returns the saved RAX");
        assertEquals(RIP, r.rip());
        assertEquals(oldSp, r.rsp());
        assertEquals(0x1111, r.get(UserRegs.RBX));
        assertEquals(0x400, r.eflags() & 0x400, "DF comes back from the frame");
        assertEquals(0, task.signalMask());
        assertEquals(-1, before.asSlice(0, 416).mismatch(ctx.regs.asSlice(0, 416)), "x87, MXCSR and XMM restored");
        assertEquals(0, SignalDelivery.pending(task));
    }

    @Test
    void aFrameWithReservedMxcsrBitsIsASigsegv() {
        handle(Signals.SA_SIGINFO);
        Registers r = task.regs();
        long fp = mm.readLong(r.rsp() + SigFrame.UC + SigFrame.UC_MCONTEXT + SigFrame.SC_FPSTATE);
        mm.writeInt(fp + SigFrame.MXCSR, 0xffff0000);
        r.rsp(r.rsp() + 8);
        SignalDelivery.sigreturn(task);
        assertEquals(SignalQueue.bit(Signals.SIGSEGV), SignalDelivery.pending(task) & SignalQueue.bit(Signals.SIGSEGV));
    }

    @Test
    void anUnreadableFrameIsASigsegvNotACrash() {
        task.regs().rsp(0x10);
        SignalDelivery.sigreturn(task);
        assertEquals(SignalQueue.bit(Signals.SIGSEGV), SignalDelivery.pending(task));
    }

    @Test
    void aFrameThatDoesNotFitKillsWithSigsegv() {
        task.regs().rsp(0x1000); // nothing mapped below
        handle(Signals.SA_SIGINFO);
        assertTrue(tg.exiting());
        assertEquals(Signals.SIGSEGV, tg.exitStatus());
    }
}
