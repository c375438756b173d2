package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.Platform;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real machine code in a stub: syscalls stop before the host runs them, with the registers the code set; the
 * sentry's answer is what the code sees; faults arrive with Linux's siginfo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadCodeTest {
    static final long CODE = 0x400000, DATA = 0x500000;
    static final long CODE_OFF = 0, DATA_OFF = 0x10000;

    // Offsets into PROGRAM (see the listing in each test).
    static final int GETPID_LOOP = 0x00, ARGS = 0x22, INT80 = 0x4c, LOAD = 0x55, STORE_YMM = 0x5a, SPIN = 0x6c,
            VSYSCALL_TIME = 0x6e, SYSCALL_INT3 = 0x83;
    static final String PROGRAM =
            "4d31e4 bb05000000 b827000000 0f05 4901c4 ffcb 75f2 4c89e7 b83c000000 0f05 0f0b" // getpid_loop
            + " b834120000 bf0b000000 be16000000 ba21000000 41ba2c000000 41b837000000 41b942000000 0f05 0f0b"
            + " b814000000 cd80 0f0b" // int80: mov eax,20; int 0x80
            + " 488b07 0f0b" // load: mov rax,[rdi]
            + " c5fe7f07 c5fe7f4f20 b827000000 0f05 0f0b" // store_ymm: vmovdqu [rdi],ymm0; [rdi+32],ymm1; getpid
            + " ebfe" // spin: jmp spin
            + " 48c7c0000460ff ffd0 4889c7 b83c000000 0f05 0f0b" // mov rax,vsyscall time; call rax; exit(rax)
            + " 0f05 cc"; // syscall; int3

    MemoryFileFixture file;
    Platform platform;
    AddressSpace as;
    Context ctx;
    Registers regs;

    /** The platform under test (subclasses run every test on another one). */
    Platform newPlatform(int memoryFileFd) {
        return PtracePlatform.create(memoryFileFd);
    }

    /** Host pid of the stub process behind {@code as}. */
    int stubPid(AddressSpace as) {
        return PtracePlatform.stubPid(as);
    }

    @BeforeAll
    void start() {
        file = new MemoryFileFixture("jvisor-workload");
        file.code(CODE_OFF, PROGRAM);
        platform = newPlatform(file.fd);
    }

    @AfterAll
    void stop() {
        platform.close();
        file.close();
    }

    @BeforeEach
    void newProcess() {
        as = platform.newAddressSpace();
        ctx = platform.newContext();
        regs = new Registers(Arena.ofAuto());
        assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, CODE_OFF));
        assertEquals(0, as.map(DATA, 0x2000, Mman.PROT_READ | Mman.PROT_WRITE, DATA_OFF));
    }

    @AfterEach
    void endProcess() {
        ctx.release();
        as.release();
    }

    void startAt(int entry) {
        regs.resetForExec(CODE + entry, DATA + 0x2000);
    }

    @Test
    void syscallsStopWithTheirNumberAndArgumentsAndTheSentrysAnswerIsTheResult() {
        startAt(GETPID_LOOP);
        long sum = 0;
        for (int i = 0; i < 5; i++) {
            assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
            assertEquals(Sysno.GETPID, regs.origRax());
            assertEquals(CODE + GETPID_LOOP + 0xf, regs.rip(), "RIP points after the syscall instruction");
            long answer = 1000 + 7 * i;
            regs.rax(answer);
            sum += answer;
            if (i == 2) { // an injected syscall from a syscall stop leaves the workload's state alone
                assertEquals(0, as.protect(DATA, 0x1000, Mman.PROT_READ));
            }
        }
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        assertEquals(Sysno.EXIT, regs.origRax());
        assertEquals(sum, regs.rdi(), "the code summed the emulated getpid results");

        startAt(ARGS);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        assertEquals(0x1234, regs.origRax());
        for (int i = 0; i < 6; i++) {
            assertEquals(11L * (i + 1), regs.arg(i), "argument " + i);
        }
    }

    @Test
    void aVsyscallCallIsASyscallForTheSentryNotTheHost() {
        startAt(VSYSCALL_TIME);
        long sp = regs.rsp();
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        assertEquals(201 /* time */, regs.origRax());
        assertEquals(CODE + VSYSCALL_TIME + 9, regs.rip(), "the kernel emulated the vsyscall's ret");
        assertEquals(sp, regs.rsp());
        regs.rax(4242);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        assertEquals(Sysno.EXIT, regs.origRax());
        assertEquals(4242, regs.rdi(), "the code got the sentry's time, not the host's");
    }

    @Test
    void aHostSyscallFromWorkloadCodeKillsTheStub() {
        assumeTrue(platform instanceof PtracePlatform, "ptrace's own filter");
        // Were the platform ever to let workload code run without SYSEMU, the stub's seccomp filter would
        // kill it: simulate that by injecting a getpid through a `syscall; int3` in workload memory.
        Tracee t = ((PtraceAddressSpace) as).threadOf(Thread.currentThread());
        assertEquals(-Errno.ESRCH.number(), t.inject(CODE + SYSCALL_INT3, CODE + SYSCALL_INT3 + 3, Sysno.GETPID,
                0, 0, 0, 0, 0, 0));
        assertTrue(t.dead());
        // The same call through the stub page's gadget is allowed (in a fresh stub).
        AddressSpace other = platform.newAddressSpace();
        try {
            assertEquals(PtracePlatform.stubPid(other), ((PtraceAddressSpace) other).threadOf(Thread.currentThread())
                    .syscall(Sysno.GETPID, 0, 0, 0, 0, 0, 0));
        } finally {
            other.release();
        }
    }

    @Test
    void int80IsRecognisedEvenWhereASyscallWasBeforeAndRcxLooksLikeASyscalls() {
        // Two versions of one page: `lea rcx,[rip+2]; syscall` and `lea rcx,[rip+2]; int 0x80`.
        file.code(0x2000, "488d0d02000000 0f05");
        file.code(0x3000, "488d0d02000000 cd80");
        long page = 0x700000;
        assertEquals(0, as.map(page, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0x2000));
        regs.resetForExec(page, 0);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        assertEquals(regs.rip(), regs.rcx());
        assertEquals(0, as.map(page, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0x3000));
        regs.resetForExec(page, 0);
        assertEquals(Event.SYSCALL_I386, ctx.switchToUser(as, regs), "same RIP, RCX = RIP, but int 0x80 now");
        assertEquals(regs.rip(), regs.rcx());
    }

    @Test
    void int80IsAnI386Syscall() {
        startAt(INT80);
        assertEquals(Event.SYSCALL_I386, ctx.switchToUser(as, regs));
        assertEquals(20, regs.origRax());
        assertEquals(CODE + INT80 + 7, regs.rip());
    }

    @Test
    void aLoadFromAnUnmappedAddressIsSegvMaperr() {
        startAt(LOAD);
        long bad = 0x600000 + 0x123;
        regs.set(UserRegs.RDI, bad);
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs));
        assertEquals(Signals.SIGSEGV, ctx.fault().signo);
        assertEquals(1 /* SEGV_MAPERR */, ctx.fault().code);
        assertEquals(bad, ctx.fault().addr);
        assertEquals(CODE + LOAD, regs.rip(), "RIP at the faulting instruction");
    }

    @Test
    void protectToProtNoneMakesAccessSegvAccerr() {
        long addr = DATA + 0x1008;
        file.mem.set(JAVA_LONG, DATA_OFF + 0x1008, 0x1122334455667788L);
        startAt(LOAD);
        regs.set(UserRegs.RDI, addr);
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs), "the load works, then ud2");
        assertEquals(Signals.SIGILL, ctx.fault().signo);
        assertEquals(0x1122334455667788L, regs.rax(), "the stub sees the memory file's contents");

        assertEquals(0, as.protect(DATA + 0x1000, 0x1000, Mman.PROT_NONE));
        startAt(LOAD);
        regs.set(UserRegs.RDI, addr);
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs));
        assertEquals(Signals.SIGSEGV, ctx.fault().signo);
        assertEquals(2 /* SEGV_ACCERR */, ctx.fault().code);
        assertEquals(addr, ctx.fault().addr);

        assertEquals(0, as.unmap(DATA + 0x1000, 0x1000));
        startAt(LOAD);
        regs.set(UserRegs.RDI, addr);
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs));
        assertEquals(1 /* SEGV_MAPERR */, ctx.fault().code, "unmapped now");
    }

    @Test
    void mappingsMustStayBelowTheStubPage() {
        long max = as.maxUserAddress();
        assertTrue(max <= StubCode.STUB_ADDR, "below the stub page");
        assertEquals(-Errno.EINVAL.number(), as.map(max, 0x1000, Mman.PROT_READ, 0));
        assertEquals(-Errno.EINVAL.number(), as.map(max - 0x1000, 0x2000, Mman.PROT_READ, 0));
        assertEquals(-Errno.EINVAL.number(), as.unmap(max, 0x1000));
        assertEquals(-Errno.EINVAL.number(), as.protect(max, 0x1000, Mman.PROT_NONE));
        assertEquals(-Errno.EINVAL.number(), as.map(CODE + 1, 0x1000, Mman.PROT_READ, 0), "unaligned");
        assertEquals(0, as.map(max - 0x1000, 0x1000, Mman.PROT_READ, 0), "the last page below is fine");
    }

    @Test
    void theJvmsVectorRegistersNeverReachTheWorkload() {
        file.mem.asSlice(DATA_OFF, 64).fill((byte) 0x5a);
        startAt(STORE_YMM);
        regs.set(UserRegs.RDI, DATA);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        for (int i = 0; i < 64; i++) {
            assertEquals(0, file.mem.get(JAVA_BYTE, DATA_OFF + i), "ymm byte " + i + " of a fresh stub");
        }
    }

    @Test
    void fpStateSetIsWhatTheCodeSeesAndInitClearsIt() {
        FpState fp = new FpState(Arena.ofAuto());
        // XMM0/XMM1 in the legacy area (offset 160), their upper YMM halves in the AVX component (offset 576).
        for (int i = 0; i < 16; i++) {
            fp.segment().set(JAVA_BYTE, 160 + i, (byte) (0x10 + i));
            fp.segment().set(JAVA_BYTE, 176 + i, (byte) (0x30 + i));
            fp.segment().set(JAVA_BYTE, 576 + i, (byte) (0x20 + i));
            fp.segment().set(JAVA_BYTE, 592 + i, (byte) (0x40 + i));
        }
        fp.segment().set(JAVA_LONG, 512, 0x7); // XSTATE_BV: x87, SSE, AVX
        fp.size(576 + 256);
        ctx.setFpState(fp);
        startAt(STORE_YMM);
        regs.set(UserRegs.RDI, DATA);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        for (int i = 0; i < 64; i++) {
            assertEquals((byte) (0x10 + i), file.mem.get(JAVA_BYTE, DATA_OFF + i), "ymm0:ymm1 byte " + i);
        }
        FpState back = new FpState(Arena.ofAuto());
        ctx.getFpState(back);
        assertTrue(back.size() >= 576 + 256, "size " + back.size());
        assertEquals(0x10, back.segment().get(JAVA_BYTE, 160));
        assertEquals(0x20, back.segment().get(JAVA_BYTE, 576));

        fp.resetToInit();
        ctx.setFpState(fp);
        startAt(STORE_YMM);
        regs.set(UserRegs.RDI, DATA);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        for (int i = 0; i < 64; i++) {
            assertEquals(0, file.mem.get(JAVA_BYTE, DATA_OFF + i), "byte " + i + " after the init state");
        }
    }

    @Test
    void registersNoProcessCouldHaveAreASegvNotACrash() {
        startAt(GETPID_LOOP);
        regs.set(UserRegs.CS, 0x10); // the kernel's code segment
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs));
        assertEquals(Signals.SIGSEGV, ctx.fault().signo);
        startAt(GETPID_LOOP);
        regs.fsBase(0x8000_0000_0000L); // non-canonical
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs));
        assertEquals(Signals.SIGSEGV, ctx.fault().signo);
        startAt(GETPID_LOOP);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs), "good registers run again");
    }

    @Test
    void anFpImageTheKernelRejectsLoadsTheInitState() {
        FpState fp = new FpState(Arena.ofAuto());
        for (int i = 0; i < 16; i++) {
            fp.segment().set(JAVA_BYTE, 160 + i, (byte) 0x77);
        }
        ctx.setFpState(fp); // a valid state first, so "nothing loaded" would show 0x77s below
        startAt(STORE_YMM);
        regs.set(UserRegs.RDI, DATA);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        assertEquals(0x77, file.mem.get(JAVA_BYTE, DATA_OFF));
        fp.segment().set(JAVA_INT, 24, 0xffff_ffff); // MXCSR with reserved bits set
        ctx.setFpState(fp);
        file.mem.asSlice(DATA_OFF, 64).fill((byte) 0x5a);
        startAt(STORE_YMM);
        regs.set(UserRegs.RDI, DATA);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        for (int i = 0; i < 64; i++) {
            assertEquals(0, file.mem.get(JAVA_BYTE, DATA_OFF + i), "byte " + i);
        }
    }

    @Test
    void interruptStopsRunningCodeFromAnotherThread() throws Exception {
        startAt(SPIN);
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            ctx.interrupt();
        });
        long t0 = System.nanoTime();
        assertEquals(Event.INTERRUPT, ctx.switchToUser(as, regs));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        assertEquals(CODE + SPIN, regs.rip(), "stopped in the loop");
        other.join();
        // The stub goes on from where it stopped: once more, and a second interrupt, to be sure it ran.
        ctx.interrupt();
        assertEquals(Event.INTERRUPT, ctx.switchToUser(as, regs), "interrupt before the switch");
        startAt(GETPID_LOOP);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs), "no stale interrupt left");
        assertEquals(Sysno.GETPID, regs.origRax());
    }

    @Test
    void aHostSignalIsNeverDeliveredToTheStub() {
        startAt(GETPID_LOOP);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        int pid = stubPid(as);
        Host.kill(pid, Signals.SIGTERM); // default action would kill it
        assertEquals(Event.INTERRUPT, ctx.switchToUser(as, regs));
        regs.rax(1);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs), "still alive, back in the loop");
        assertEquals(Sysno.GETPID, regs.origRax());
        Host.kill(pid, Signals.SIGSEGV); // sent, not raised by an instruction: no FAULT
        assertEquals(Event.INTERRUPT, ctx.switchToUser(as, regs));
    }

    @Test
    void aKilledStubIsDied() {
        startAt(SPIN);
        Host.kill(stubPid(as), Signals.SIGKILL);
        assertEquals(Event.DIED, ctx.switchToUser(as, regs));
        assertEquals(Event.DIED, ctx.switchToUser(as, regs), "and stays so");
        assertEquals(-Errno.ESRCH.number(), as.map(CODE, 0x1000, Mman.PROT_READ, 0));
    }
}
