package dev.jvisor.platform.ptrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.Platform;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Stubs never outlive the sentry, their tracer, or the platform; each task thread traces its own stub. */
class StubLifetimeTest {
    /** The platform under test: its name for {@link StubReporter}, and how to start it (a subclass: systrap). */
    String platformName() {
        return "ptrace";
    }

    Platform newPlatform(int memoryFileFd) {
        return PtracePlatform.create(memoryFileFd);
    }

    int stubPid(AddressSpace as) {
        return PtracePlatform.stubPid(as);
    }

    int stubTid(AddressSpace as) {
        return PtracePlatform.stubTid(as);
    }

    int templatePid(Platform p) {
        return ((PtracePlatform) p).templatePid();
    }

    private static final int PR_SET_CHILD_SUBREAPER = 36;

    @Test
    void sigkillOfTheSentryLeavesNoStubBehind() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        // Orphans of the child JVM come to this JVM, so it can reap them by pid (no zombie left behind; PID 1
        // here may never reap).
        assertEquals(0, Host.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
        try {
            // The child JVM is not traced by anyone here, so ProcessBuilder is fine for it.
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), StubReporter.class.getName(), platformName())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int template;
            int stub;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line = r.readLine();
                assertTrue(line != null && line.startsWith("stubs "), "child said " + line);
                String[] f = line.split(" ");
                template = Integer.parseInt(f[1]);
                stub = Integer.parseInt(f[2]);
                assertEquals(String.valueOf(p.pid()), Procfs.status(template, "PPid"));
                assertEquals(String.valueOf(p.pid()), Procfs.status(stub, "PPid"));
                p.destroyForcibly(); // SIGKILL
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            }
            long deadline = System.nanoTime() + 2_000_000_000L;
            boolean templateGone = false;
            boolean stubGone = false;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment status = a.allocate(4);
                while ((!templateGone || !stubGone) && System.nanoTime() < deadline) {
                    templateGone |= Host.wait4(template, status, Ptrace.WNOHANG | Ptrace.WALL) == template
                            || Procfs.state(template) == 'X';
                    stubGone |= Host.wait4(stub, status, Ptrace.WNOHANG | Ptrace.WALL) == stub
                            || Procfs.state(stub) == 'X';
                    Thread.sleep(10);
                }
            }
            assertTrue(templateGone, "template " + template + " state " + Procfs.state(template));
            assertTrue(stubGone, "stub " + stub + " state " + Procfs.state(stub));
        } finally {
            Host.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }
    }

    @Test
    void closeKillsAndReapsEveryStub() throws Exception {
        MemoryFileFixture file = new MemoryFileFixture("jvisor-close");
        Platform platform = newPlatform(file.fd);
        AddressSpace mine = platform.newAddressSpace();
        FutureTask<Integer> other = new FutureTask<>(() -> {
            AddressSpace as = platform.newAddressSpace();
            assertEquals(0, mine.map(0x400000, 0x1000, Mman.PROT_READ, 0)); // gives this thread a stub thread there
            return stubPid(as);
        });
        Thread t = Thread.ofPlatform().start(() -> {
            other.run();
            try {
                Thread.sleep(60_000); // stays alive, so EXITKILL is not what ends its stub
            } catch (InterruptedException e) {
                // closing
            }
        });
        int[] pids = {templatePid(platform), stubPid(mine), stubTid(mine), other.get()};
        assertEquals(3, Procfs.tasks(pids[1]).size(), "leader, this thread's, the other thread's");
        platform.close();
        for (int pid : pids) {
            assertEquals('X', Procfs.state(pid), "pid " + pid + " after close");
        }
        t.interrupt();
        t.join();
        mine.release(); // after close: a no-op that must not touch a reused pid
        file.close();
    }

    @Test
    void aStubDiesWithItsTracerThread() throws Exception {
        assumeTrue(platformName().equals("ptrace"), "only ptrace stub threads have a tracer thread");
        MemoryFileFixture file = new MemoryFileFixture("jvisor-exitkill");
        try (PtracePlatform platform = PtracePlatform.create(file.fd)) {
            FutureTask<Integer> task = new FutureTask<>(() -> PtracePlatform.stubPid(platform.newAddressSpace()));
            Thread t = Thread.ofPlatform().start(task);
            int pid = task.get();
            t.join();
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!Procfs.dead(pid) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Procfs.dead(pid), "stub " + pid + " outlived its tracer thread: " + Procfs.state(pid));
        } finally {
            file.close();
        }
    }

    @Test
    void twoThreadsEachTraceAndRunTheirOwnStub() throws Exception {
        MemoryFileFixture file = new MemoryFileFixture("jvisor-threads");
        // mov eax, 39; syscall; mov rdi, rax; mov eax, 60; syscall
        file.code(0, "b827000000 0f05 4889c7 b83c000000 0f05");
        try (Platform platform = newPlatform(file.fd)) {
            Callable<long[]> body = () -> {
                AddressSpace as = platform.newAddressSpace();
                Context ctx = platform.newContext();
                try {
                    int pid = stubPid(as);
                    long tracer = Long.parseLong(Procfs.taskStatus(pid, stubTid(as), "TracerPid"));
                    assertEquals(0, as.map(0x400000, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, 0));
                    Registers regs = new Registers(Arena.ofAuto());
                    regs.resetForExec(0x400000, 0);
                    assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
                    regs.rax(pid * 10L);
                    assertEquals(Event.SYSCALL, ctx.switchToUser(as, regs));
                    return new long[] {pid, tracer, Host.gettid(), regs.rdi()};
                } finally {
                    ctx.release();
                    as.release();
                }
            };
            FutureTask<long[]> a = new FutureTask<>(body);
            FutureTask<long[]> b = new FutureTask<>(body);
            Thread ta = Thread.ofPlatform().start(a);
            Thread tb = Thread.ofPlatform().start(b);
            long[] ra = a.get();
            long[] rb = b.get();
            ta.join();
            tb.join();
            assertNotEquals(ra[0], rb[0], "two stubs");
            if (platformName().equals("ptrace")) {
                assertEquals(ra[2], ra[1], "stub A traced by thread A");
                assertEquals(rb[2], rb[1], "stub B traced by thread B");
            } else {
                assertEquals(0, ra[1], "systrap stub threads run untraced");
            }
            assertEquals(ra[0] * 10, ra[3], "stub A got thread A's answer");
            assertEquals(rb[0] * 10, rb[3], "stub B got thread B's answer");
        } finally {
            file.close();
        }
    }
}
