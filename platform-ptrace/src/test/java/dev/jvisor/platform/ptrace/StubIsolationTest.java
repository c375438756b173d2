package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Host;
import dev.jvisor.sentry.platform.AddressSpace;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A stub holds nothing of the JVM: one fd (the memory file), one page of its own, no handlers, no rseq. */
class StubIsolationTest {
    private static MemoryFileFixture file;
    private static PtracePlatform platform;

    @BeforeAll
    static void start() {
        file = new MemoryFileFixture("jvisor-isolation-" + ProcessHandle.current().pid());
        platform = PtracePlatform.create(file.fd);
    }

    @AfterAll
    static void stop() {
        platform.close();
        file.close();
    }

    private static final String STUB_PAGE = String.format("%x-%x r-xp", StubCode.STUB_ADDR,
            StubCode.STUB_ADDR + 4096);

    private static void assertClean(int pid) throws IOException {
        assertEquals(List.of(String.valueOf(StubCode.MEMFD_FD)), Procfs.fds(pid), "fds of stub " + pid);
        assertEquals(Procfs.fdTarget((int) ProcessHandle.current().pid(), file.fd),
                Procfs.fdTarget(pid, StubCode.MEMFD_FD), "fd 100 is the memory file");
        List<String> maps = Procfs.maps(pid);
        assertEquals(2, maps.size(), "mappings of stub " + pid + ": " + maps);
        assertTrue(maps.get(0).startsWith(STUB_PAGE), maps.get(0));
        assertTrue(maps.get(1).endsWith("[vsyscall]"), maps.get(1));
        assertEquals("0000000000000000", Procfs.status(pid, "SigCgt"), "no handler of the JVM");
        assertEquals("0000000000000000", Procfs.status(pid, "SigIgn"), "nothing ignored");
        assertEquals("0000000000000000", Procfs.status(pid, "SigBlk"), "nothing blocked");
        assertEquals("2", Procfs.status(pid, "Seccomp"), "seccomp filter mode");
        assertEquals("1", Procfs.status(pid, "NoNewPrivs"));
        assertEquals("jvisor-stub", Procfs.status(pid, "Name"));
    }

    @Test
    void theTemplateHoldsOnlyTheMemoryFileAndTheStubPage() throws IOException {
        int pid = platform.templatePid();
        assertClean(pid);
        assertEquals(String.valueOf(Host.getpid()), Procfs.status(pid, "PPid"));
    }

    @Test
    void aClonedStubIsCleanAndItsThreadIsTracedByTheCallingThread() throws IOException {
        AddressSpace as = platform.newAddressSpace();
        try {
            int pid = PtracePlatform.stubPid(as);
            int tid = PtracePlatform.stubTid(as);
            assertClean(pid);
            assertEquals(String.valueOf(Host.getpid()), Procfs.status(pid, "PPid"), "CLONE_PARENT: the sentry's child");
            assertEquals(List.of(String.valueOf(pid), String.valueOf(tid)), Procfs.tasks(pid),
                    "the leader and the calling thread's stub thread");
            assertEquals(String.valueOf(Host.gettid()), Procfs.taskStatus(pid, tid, "TracerPid"));
            assertNotEquals(String.valueOf(Host.gettid()), Procfs.status(pid, "TracerPid"), "leader: platform thread");
            assertNotEquals("0", Procfs.status(pid, "TracerPid"));
            // glibc's per-thread rseq area is gone with the JVM's memory, so it must be unregistered.
            try (Arena a = Arena.ofConfined()) {
                MemorySegment conf = a.allocate(24, 8);
                long r = Host.ptrace(0x420f /* PTRACE_GET_RSEQ_CONFIGURATION */, tid, 24, conf.address());
                assertEquals(24, r);
                assertEquals(0, conf.get(JAVA_LONG, 0), "rseq area registered");
            }
        } finally {
            as.release();
        }
    }

    @Test
    void releaseLeavesNoProcess() {
        AddressSpace as = platform.newAddressSpace();
        int pid = PtracePlatform.stubPid(as);
        int tid = PtracePlatform.stubTid(as);
        assertEquals('t', Procfs.state(pid), "a live stub sits in a tracing stop");
        as.release();
        assertEquals('X', Procfs.state(pid), "released stub still exists");
        assertEquals('X', Procfs.state(tid), "its thread still exists");
    }
}
