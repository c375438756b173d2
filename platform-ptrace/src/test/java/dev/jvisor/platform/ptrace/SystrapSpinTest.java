package dev.jvisor.platform.ptrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Sysno;
import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The systrap handoff's spin policy ({@code -Djvisor.systrap.spin}): a split context's stub thread runs on
 * another CPU and both sides spin; a context whose stub computes long between syscalls stays on one CPU; no
 * more pairs spin than CPU pairs exist; and spinning threads never starve a thread that waits for something else.
 */
class SystrapSpinTest {
    static final long CODE = 0x400000;
    static final int GETPID_LOOP = 0, BUSY_GETPID_LOOP = 0x10;

    MemoryFileFixture file;
    SystrapPlatform platform;
    /** The online CPUs (not availableProcessors(): that is this thread's affinity, which the platform narrows). */
    int cpus;

    @BeforeEach
    void start() {
        file = new MemoryFileFixture("jvisor-spin");
        file.code(GETPID_LOOP, "b827000000 0f05 ebf7"); // loop: mov eax,39; syscall; jmp loop
        // loop: mov ecx,400000; 1: dec ecx; jnz 1b; mov eax,39; syscall; jmp loop (a few hundred us of work)
        file.code(BUSY_GETPID_LOOP, "b9801a0600 ffc9 75fc b827000000 0f05 ebee");
    }

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.close();
        }
        System.clearProperty("jvisor.systrap.spin");
        file.close();
    }

    private SystrapPlatform platform(String mode) {
        System.setProperty("jvisor.systrap.spin", mode);
        platform = SystrapPlatform.create(file.fd);
        cpus = platform.cpus();
        return platform;
    }

    /** Runs {@code n} emulated getpids of the code at {@code off} in {@code as} on the calling thread. */
    private static void getpids(AddressSpace as, Context ctx, int off, int n) {
        Registers regs = new Registers(Arena.ofAuto());
        regs.resetForExec(CODE + off, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
            assertEquals(Sysno.GETPID, regs.origRax());
            regs.rax(i);
        }
    }

    private static String cpusAllowed(int pid, int tid) throws Exception {
        return Procfs.taskStatus(pid, tid, "Cpus_allowed_list");
    }

    @Test
    void aSplitContextRunsItsStubThreadOnAnotherCpuAndMergesOnRelease() throws Exception {
        SystrapPlatform p = platform("always");
        assumeTrue(cpus >= 2, "needs two CPUs");
        AddressSpace as = p.newAddressSpace();
        Context ctx = p.newContext();
        try {
            assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            int tid = SystrapPlatform.stubTid(as);
            String before = cpusAllowed(SystrapPlatform.stubPid(as), tid);
            assertEquals(cpusAllowed(Host.getpid(), Host.gettid()), before, "set up on the task thread's CPU");
            getpids(as, ctx, GETPID_LOOP, 1000);
            assertEquals(1, p.splitContexts());
            assertNotEquals(cpusAllowed(Host.getpid(), Host.gettid()), cpusAllowed(SystrapPlatform.stubPid(as), tid),
                    "a split stub thread runs on another CPU");
            // Commands (address-space changes) still work on a split stub thread.
            assertEquals(0, as.map(CODE + 0x1000, 0x1000, Mman.PROT_READ, 0x1000));
            assertEquals(0, as.unmap(CODE + 0x1000, 0x1000));
            getpids(as, ctx, GETPID_LOOP, 100);
        } finally {
            ctx.release();
            as.release();
        }
        assertEquals(0, p.splitContexts(), "release gives the permit back");
    }

    @Test
    void futexOnlyNeverSplits() throws Exception {
        SystrapPlatform p = platform("never");
        AddressSpace as = p.newAddressSpace();
        Context ctx = p.newContext();
        try {
            assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            getpids(as, ctx, GETPID_LOOP, 1000);
            assertEquals(0, p.splitContexts());
            assertEquals(cpusAllowed(Host.getpid(), Host.gettid()),
                    cpusAllowed(SystrapPlatform.stubPid(as), SystrapPlatform.stubTid(as)));
        } finally {
            ctx.release();
            as.release();
        }
    }

    @Test
    void aStubThatComputesLongBetweenSyscallsStaysOnItsTaskThreadsCpu() throws Exception {
        SystrapPlatform p = platform("adaptive");
        AddressSpace as = p.newAddressSpace();
        Context ctx = p.newContext();
        try {
            assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
            getpids(as, ctx, BUSY_GETPID_LOOP, 300);
            assertEquals(0, p.splitContexts(), "waits of hundreds of microseconds: spinning would not pay");
            assertEquals(cpusAllowed(Host.getpid(), Host.gettid()),
                    cpusAllowed(SystrapPlatform.stubPid(as), SystrapPlatform.stubTid(as)));
        } finally {
            ctx.release();
            as.release();
        }
    }

    /**
     * More syscall-looping task threads than CPUs, spinning wherever the policy lets them (adaptive, then
     * spin-always, the worst case), while another thread waits on a pipe: the loops all end, the waiter wakes
     * soon after the write, and in adaptive mode no more contexts are split at once than CPU pairs exist.
     */
    @Test
    void spinningThreadsStarveNobody() throws Exception {
        for (String mode : List.of("adaptive", "always")) {
            SystrapPlatform p = platform(mode);
            int n = 2 * cpus + 1;
            AtomicInteger maxSplit = new AtomicInteger();
            Pipe pipe = Pipe.open();
            long[] wokeAfter = new long[1];
            FutureTask<Void> reader = new FutureTask<>(() -> {
                ByteBuffer b = ByteBuffer.allocate(1);
                pipe.source().read(b);
                wokeAfter[0] = System.nanoTime();
                return null;
            });
            Thread.ofPlatform().start(reader);
            List<FutureTask<Void>> loops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                FutureTask<Void> f = new FutureTask<>(() -> {
                    AddressSpace as = p.newAddressSpace();
                    Context ctx = p.newContext();
                    try {
                        assertEquals(0, as.map(CODE, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
                        for (int k = 0; k < 20; k++) {
                            getpids(as, ctx, GETPID_LOOP, 200);
                            maxSplit.accumulateAndGet(p.splitContexts(), Math::max);
                        }
                    } finally {
                        ctx.release();
                        as.release();
                    }
                    return null;
                });
                loops.add(f);
                Thread.ofPlatform().start(f);
            }
            Thread.sleep(200); // the loops are running
            long wrote = System.nanoTime();
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            reader.get(10, TimeUnit.SECONDS);
            assertTrue(wokeAfter[0] - wrote < TimeUnit.SECONDS.toNanos(1),
                    mode + ": the pipe's reader woke " + (wokeAfter[0] - wrote) / 1000 + " us after the write");
            for (FutureTask<Void> f : loops) {
                f.get(120, TimeUnit.SECONDS);
            }
            if (mode.equals("adaptive")) {
                assertTrue(maxSplit.get() <= cpus / 2, "split at once: " + maxSplit.get());
            }
            assertEquals(0, p.splitContexts(), mode + ": every permit given back");
            pipe.source().close();
            pipe.sink().close();
            p.close();
            platform = null;
        }
    }
}
