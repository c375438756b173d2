package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workload code that attacks the systrap stub (jumps into its code, forges its control slot, wrecks its signal
 * stack, sigreturns into a forged frame) gets no host syscall beyond the stub's allowlist, at worst kills its own
 * stub process, and never breaks the sentry: the platform goes on serving new address spaces.
 */
class SystrapSafetyTest {
    static final long CODE = 0x400000, DATA = 0x500000;
    static final long DATA_OFF = 0x10000;
    static final int SITE_GETPID = 0x00, SITE_MMAP = 0x20, GADGET = 0x50, FORGED_SIGRETURN = 0x70, GETPID = 0x90,
            FORGE_SLOT = 0xa0;
    // Source: the listing in the commit; each jump goes to the stub's syscall instruction at 0x7ffffffe0516
    // (SystrapPlatform.stubSyscallAddress()) or to the injection gadget at the stub page's start.
    static final String PROGRAM =
            "b82700000048b91605feffff7f0000ffe166662e0f1f8400000000000f1f4000"
            + "b809000000bf00006000be00100000ba0100000041ba1100000041b8650000004531c948b91605feffff7f0000ffe190"
            + "b82700000048b90000feffff7f0000ffe166662e0f1f8400000000000f1f4000"
            + "b80f00000048b91605feffff7f0000ffe166662e0f1f8400000000000f1f4000"
            + "b8270000000f050f0b" + "00000000000000"
            + "b94000000048c7c0fffffffff348abb8270000000f050f0b"; // rep stosq of ones over [rdi]; getpid

    private static MemoryFileFixture file;
    private static SystrapPlatform platform;
    private AddressSpace as;
    private Context ctx;
    private Registers regs;

    @BeforeAll
    static void start() {
        file = new MemoryFileFixture("jvisor-systrap-safety");
        file.code(0, PROGRAM);
        platform = SystrapPlatform.create(file.fd);
    }

    @AfterAll
    static void stop() {
        platform.close();
        file.close();
    }

    @BeforeEach
    void newProcess() {
        as = platform.newAddressSpace();
        ctx = platform.newContext();
        regs = new Registers(Arena.ofAuto());
        assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
        assertEquals(0, as.map(DATA, 0x2000, Mman.PROT_READ | Mman.PROT_WRITE, DATA_OFF));
    }

    @AfterEach
    void endProcessAndCheckThePlatformStillWorks() {
        int pid = SystrapPlatform.stubPid(as);
        ctx.release();
        as.release();
        assertEquals('X', Procfs.state(pid), "released stub " + pid);
        AddressSpace fresh = platform.newAddressSpace();
        Context c = platform.newContext();
        try {
            assertEquals(0, fresh.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            Registers r = new Registers(Arena.ofAuto());
            r.resetForExec(CODE + GETPID, DATA + 0x1000);
            assertEquals(Event.SYSCALL, c.switchToUser(fresh, r), "the platform still serves new stubs");
            assertEquals(Sysno.GETPID, r.origRax());
        } finally {
            c.release();
            fresh.release();
        }
    }

    private Event runFrom(int entry) {
        regs.resetForExec(CODE + entry, DATA + 0x1000);
        return ctx.switchToUser(as, regs);
    }

    @Test
    void aSyscallNotOnTheAllowlistFromTheStubsOwnInstructionKillsTheStub() {
        assertEquals(SystrapPlatform.stubSyscallAddress(), 0x7ffffffe0516L, "the address the program jumps to");
        int pid = SystrapPlatform.stubPid(as);
        assertEquals(Event.DIED, runFrom(SITE_GETPID), "getpid from the stub's syscall: SECCOMP_RET_KILL_PROCESS");
        assertEquals(Event.DIED, ctx.switchToUser(as, regs), "and stays dead");
        assertTrue(Procfs.dead(pid) || Procfs.state(pid) == 'Z', "stub " + pid + ": " + Procfs.state(pid));
    }

    @Test
    void mappingTheControlFileFromTheStubsOwnInstructionKillsTheStub() {
        assertEquals(Event.DIED, runFrom(SITE_MMAP), "mmap of fd 101: only the memory file may be mapped");
    }

    @Test
    void aSyscallAnywhereElseInTheStubPageIsTrappedForTheSentry() {
        assertEquals(Event.SYSCALL, runFrom(GADGET), "the injection gadget's syscall is just a workload syscall");
        assertEquals(Sysno.GETPID, regs.origRax());
        assertEquals(0x7ffffffe0002L, regs.rip());
    }

    @Test
    void aForgedSigreturnThatBlocksSigsysKillsOnlyTheStub() {
        // struct ucontext at DATA + 0x1000 (rt_sigreturn reads it at RSP): no alternate stack any more, SIGSYS
        // blocked, and a return to a getpid. The trap then finds SIGSYS blocked, and the kernel kills the stub.
        MemorySegment uc = file.mem.asSlice(DATA_OFF + 0x1000, 304);
        uc.fill((byte) 0);
        uc.set(JAVA_LONG, 16 + 8, 2); // uc_stack.ss_flags = SS_DISABLE
        long gregs = 40;
        uc.set(JAVA_LONG, gregs + 8 * 15, DATA + 0x800); // rsp
        uc.set(JAVA_LONG, gregs + 8 * 16, CODE + GETPID); // rip
        uc.set(JAVA_LONG, gregs + 8 * 17, 0x202); // eflags
        uc.set(JAVA_LONG, gregs + 8 * 18, 0x33L | 0x2bL << 48); // cs, ss
        uc.set(JAVA_LONG, 296, 1L << (Signals.SIGSYS - 1)); // uc_sigmask
        assertEquals(Event.DIED, runFrom(FORGED_SIGRETURN));
    }

    @Test
    void aStackInsideTheSignalStackGetsANestedFrameOrKillsTheStubWhenNoneFits() {
        long slot = SystrapPlatform.slotAddress(as);
        assertTrue(slot > 0 && slot < 0x7ffffffe0000L, "slot at 0x" + Long.toHexString(slot));
        // Deep inside the alternate stack (which starts at slot + 0x1000), the kernel nests the frame below RSP,
        // still inside: an ordinary syscall.
        regs.resetForExec(CODE + GETPID, slot + 0x8000);
        assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
        assertEquals(Sysno.GETPID, regs.origRax());
        assertEquals(slot + 0x8000, regs.rsp());
        // Just above its bottom, no frame fits: the kernel kills the stub process (SIGSEGV), nothing else.
        regs.resetForExec(CODE + GETPID, slot + 0x1000 + 0x200);
        assertEquals(Event.DIED, ctx.switchToUser(as, regs));
    }

    @Test
    void aSlotFilledWithGarbageCanOnlyHurtItsOwnProcess() throws Exception {
        long slot = SystrapPlatform.slotAddress(as);
        regs.resetForExec(CODE + FORGE_SLOT, DATA + 0x1000);
        regs.rdi(slot);
        // Sequence numbers, sleep flags, spin budget, command: all forged. Whatever follows (a syscall, the
        // stub killed, or a handler that waits forever), an interrupt brings the task thread back.
        Thread interrupter = Thread.ofPlatform().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                ctx.interrupt();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long t0 = System.nanoTime();
        Event e;
        try {
            e = ctx.switchToUser(as, regs);
            while (e == Event.INTERRUPT && System.nanoTime() - t0 < 2_000_000_000L) {
                e = ctx.switchToUser(as, regs);
            }
        } finally {
            interrupter.interrupt();
            interrupter.join();
        }
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the task thread came back");
        assertTrue(e == Event.SYSCALL || e == Event.DIED || e == Event.INTERRUPT, "event " + e);
    }
}
