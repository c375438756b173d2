package dev.jvisor.platform.ptrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hand-off of a new stub to its task thread works whichever comes first: the stub's own SIGSTOP (a
 * group-stop, then PTRACE_SEIZE) or the seize (then a signal-delivery-stop for the SIGSTOP).
 */
class HandOffTest {
    private static MemoryFileFixture file;
    private static PtracePlatform platform;

    @BeforeAll
    static void start() {
        file = new MemoryFileFixture("jvisor-handoff");
        // loop: mov eax, 39; syscall; jmp loop
        file.code(0, "b827000000 0f05 ebf7");
        platform = PtracePlatform.create(file.fd);
    }

    @AfterAll
    static void stop() {
        platform.close();
        file.close();
    }

    private static void runsAndAnswers(PtraceAddressSpace as) {
        Context ctx = platform.newContext();
        try {
            assertEquals(0, as.map(0x400000, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            Registers regs = new Registers(Arena.ofAuto());
            regs.resetForExec(0x400000, 0);
            for (int i = 0; i < 3; i++) {
                assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
                assertEquals(Sysno.GETPID, regs.origRax());
                regs.rax(i);
            }
            // Job-control signals from outside neither stop the stub for good nor reach it. SIGCONT to a seized
            // tracee also brings a PTRACE_EVENT_STOP notification: one more INTERRUPT, then the code goes on.
            for (int sig : new int[] {Signals.SIGSTOP, Signals.SIGCONT, Signals.SIGTSTP, Signals.SIGCONT}) {
                Host.kill(as.pid(), sig);
                assertEquals(Event.INTERRUPT, ctx.switchToUser(as, regs), Signals.name(sig));
                int interrupts = 0;
                Event e;
                while ((e = ctx.switchToUser(as, regs)) == Event.INTERRUPT && interrupts < 3) {
                    interrupts++;
                }
                assertEquals(Event.SYSCALL, e, "after " + Signals.name(sig) + " and " + interrupts + " more stops");
                assertEquals(Sysno.GETPID, regs.origRax());
                assertEquals('t', Procfs.state(as.pid()), "in a tracing stop, not stopped for good");
            }
        } finally {
            ctx.release();
            as.release();
        }
    }

    @Test
    void seizingAStubThatAlreadyStoppedItself() throws InterruptedException {
        int pid = platform.cloneStub();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (Procfs.state(pid) != 'T' && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals('T', Procfs.state(pid), "group-stopped before the seize");
        runsAndAnswers(platform.adopt(pid));
    }

    @Test
    void seizingAStubBeforeItStopsItself() {
        // Right after the clone the child is usually still on its way to kill(SIGSTOP); either way it must work.
        PtraceAddressSpace as = platform.adopt(platform.cloneStub());
        assertTrue(as.pid() > 0);
        runsAndAnswers(as);
    }
}
