package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.Platform;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Several task threads in one address space (a multi-threaded workload): each traces a stub thread of its own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiThreadTest {
    static final long CODE = 0x400000, DATA = 0x500000;
    static final int GETPID_LOOP = 0, SPIN = 0x10, LOAD = 0x20;

    MemoryFileFixture file;
    Platform platform;

    /** The platform under test (a subclass runs every test on systrap). */
    Platform newPlatform(int memoryFileFd) {
        return PtracePlatform.create(memoryFileFd);
    }

    int stubPid(AddressSpace as) {
        return PtracePlatform.stubPid(as);
    }

    int stubTid(AddressSpace as) {
        return PtracePlatform.stubTid(as);
    }

    /** Whether each stub thread stays traced by its task thread (ptrace), rather than detached (systrap). */
    boolean traced() {
        return true;
    }

    @BeforeAll
    void start() {
        file = new MemoryFileFixture("jvisor-threads");
        file.code(GETPID_LOOP, "b827000000 0f05 ebf7"); // loop: mov eax,39; syscall; jmp loop
        file.code(SPIN, "ebfe"); // jmp $
        file.code(LOAD, "488b07 0f0b"); // mov rax,[rdi]; ud2
        platform = newPlatform(file.fd);
    }

    @AfterAll
    void stop() {
        platform.close();
        file.close();
    }

    private static Registers at(long rip) {
        Registers r = new Registers(Arena.ofAuto());
        r.resetForExec(rip, 0);
        return r;
    }

    /** Runs {@code n} emulated getpids in {@code as} on the calling thread; returns its stub thread's tid. */
    private int getpids(AddressSpace as, Context ctx, int n) {
        Registers regs = at(CODE + GETPID_LOOP);
        for (int i = 0; i < n; i++) {
            assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
            assertEquals(Sysno.GETPID, regs.origRax());
            regs.rax(i);
        }
        return stubTid(as);
    }

    private static <T> FutureTask<T> onNewThread(Callable<T> body) {
        FutureTask<T> f = new FutureTask<>(body);
        Thread.ofPlatform().start(f);
        return f;
    }

    @Test
    void twoTaskThreadsRunAtOnceEachTracingItsOwnStubThread() throws Exception {
        AddressSpace as = platform.newAddressSpace();
        Context ctxA = platform.newContext();
        try {
            assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            int pid = stubPid(as);
            FutureTask<long[]> b = onNewThread(() -> {
                Context ctxB = platform.newContext();
                int tid = getpids(as, ctxB, 2000);
                long tracer = Long.parseLong(Procfs.taskStatus(pid, tid, "TracerPid"));
                // A mapping made from this thread is the whole process's.
                assertEquals(0, as.map(DATA, 0x1000, Mman.PROT_READ, 0x10000));
                ctxB.release();
                return new long[] {tid, tracer, Host.gettid()};
            });
            int tidA = getpids(as, ctxA, 2000); // meanwhile, on this thread
            long[] rb = b.get();
            assertNotEquals(tidA, rb[0], "two stub threads");
            if (traced()) {
                assertEquals(rb[2], rb[1], "thread B traces its own stub thread");
                assertEquals(String.valueOf(Host.gettid()), Procfs.taskStatus(pid, tidA, "TracerPid"));
            } else {
                assertEquals(0, rb[1], "stub thread B runs untraced");
            }
            assertEquals(List.of(String.valueOf(pid), String.valueOf(tidA)), Procfs.tasks(pid),
                    "B's release ended only B's stub thread");

            file.mem.set(JAVA_LONG, 0x10000 + 8, 0x1234_5678_9abcL);
            Registers regs = at(CODE + LOAD);
            regs.set(UserRegs.RDI, DATA + 8);
            assertEquals(Event.FAULT, ctxA.switchToUser(as, regs), "the load works, then ud2");
            assertEquals(Signals.SIGILL, ctxA.fault().signo);
            assertEquals(0x1234_5678_9abcL, regs.rax(), "A sees the page B mapped");
        } finally {
            ctxA.release();
            as.release();
        }
    }

    @Test
    void aThreadJoiningAKilledStubSeesDied() throws Exception {
        AddressSpace as = platform.newAddressSpace();
        try {
            Host.kill(stubPid(as), Signals.SIGKILL);
            FutureTask<Event> b = onNewThread(() -> {
                Context c = platform.newContext();
                try {
                    return c.switchToUser(as, at(CODE + GETPID_LOOP));
                } finally {
                    c.release();
                }
            });
            assertEquals(Event.DIED, b.get());
        } finally {
            as.release();
        }
        assertEquals('X', Procfs.state(stubPid(as)));
    }

    @Test
    void anInterruptStopsOnlyItsOwnThread() throws Exception {
        AddressSpace as = platform.newAddressSpace();
        Context ctxA = platform.newContext();
        try {
            assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            Context[] ctxB = new Context[1];
            FutureTask<Event> b = onNewThread(() -> {
                ctxB[0] = platform.newContext();
                synchronized (ctxB) {
                    ctxB.notifyAll();
                }
                try {
                    return ctxB[0].switchToUser(as, at(CODE + SPIN));
                } finally {
                    ctxB[0].release();
                }
            });
            synchronized (ctxB) {
                while (ctxB[0] == null) {
                    ctxB.wait();
                }
            }
            getpids(as, ctxA, 200); // A runs while B spins
            Thread.sleep(50);
            ctxB[0].interrupt();
            assertEquals(Event.INTERRUPT, b.get());
            getpids(as, ctxA, 200);
        } finally {
            ctxA.release();
            as.release();
        }
    }

    @Test
    void jobControlSignalsToTheStubProcessNeitherStopItNorReachIt() throws Exception {
        assumeTrue(traced(), "an untraced stub thread stops on SIGSTOP like any process");
        AddressSpace as = platform.newAddressSpace();
        Context ctx = platform.newContext();
        try {
            assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            int pid = stubPid(as);
            Registers regs = at(CODE + GETPID_LOOP);
            assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
            // SIGCONT to seized tracees also brings PTRACE_EVENT_STOP notifications: more INTERRUPTs, then on.
            for (int sig : new int[] {Signals.SIGSTOP, Signals.SIGCONT, Signals.SIGTSTP, Signals.SIGCONT}) {
                Host.kill(pid, sig);
                int interrupts = 0;
                Event e;
                while ((e = ctx.switchToUser(as, regs)) == Event.INTERRUPT && interrupts < 4) {
                    interrupts++;
                }
                assertEquals(Event.SYSCALL, e, "after " + Signals.name(sig) + " and " + interrupts + " stops");
                assertTrue(interrupts >= 1, Signals.name(sig) + " was seen");
                assertEquals(Sysno.GETPID, regs.origRax());
                assertEquals('t', Procfs.state(pid), "in a tracing stop, not stopped for good");
            }
            // The platform thread's next injection into the leader (a new thread) absorbs what reached it.
            FutureTask<Integer> b = onNewThread(() -> {
                Context c = platform.newContext();
                try {
                    return getpids(as, c, 3);
                } finally {
                    c.release();
                }
            });
            assertTrue(b.get() > 0);
        } finally {
            ctx.release();
            as.release();
        }
    }
}
