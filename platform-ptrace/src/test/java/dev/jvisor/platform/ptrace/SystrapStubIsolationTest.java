package dev.jvisor.platform.ptrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Host;
import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.platform.AddressSpace;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A systrap stub holds nothing of the JVM: two fds (the memory file and the control file), its page and its
 * threads' slots, the handler for every catchable signal and nothing blocked; its stub threads run untraced
 * under two seccomp filters.
 */
class SystrapStubIsolationTest {
    private static MemoryFileFixture file;
    private static SystrapPlatform platform;

    @BeforeAll
    static void start() {
        file = new MemoryFileFixture("jvisor-systrap-isolation-" + ProcessHandle.current().pid());
        platform = SystrapPlatform.create(file.fd);
    }

    @AfterAll
    static void stop() {
        platform.close();
        file.close();
    }

    private static final String STUB_PAGE = String.format("%x-%x r-xp", StubCode.STUB_ADDR,
            StubCode.STUB_ADDR + 4096);
    /** Every signal but SIGKILL (9) and SIGSTOP (19) has the handler. */
    private static final String ALL_BUT_KILL_AND_STOP = "fffffffffffbfeff";

    private static void assertClean(int pid) throws IOException {
        assertEquals(List.of(String.valueOf(StubCode.MEMFD_FD), String.valueOf(StubCode.CONTROL_FD)),
                Procfs.fds(pid), "fds of stub " + pid);
        assertEquals(Procfs.fdTarget((int) ProcessHandle.current().pid(), file.fd),
                Procfs.fdTarget(pid, StubCode.MEMFD_FD), "fd 100 is the memory file");
        assertEquals(ALL_BUT_KILL_AND_STOP, Procfs.status(pid, "SigCgt"), "the stub's handler, nothing of the JVM");
        assertEquals("0000000000000000", Procfs.status(pid, "SigIgn"), "nothing ignored");
        assertEquals("0000000000000000", Procfs.status(pid, "SigBlk"), "nothing blocked");
        assertEquals("2", Procfs.status(pid, "Seccomp"), "seccomp filter mode");
        assertEquals("1", Procfs.status(pid, "NoNewPrivs"));
        assertEquals("jvisor-stub", Procfs.status(pid, "Name"));
    }

    @Test
    void theTemplateHoldsOnlyTheTwoFilesAndTheStubPage() throws IOException {
        int pid = platform.templatePid();
        assertClean(pid);
        List<String> maps = Procfs.maps(pid);
        assertEquals(2, maps.size(), "mappings of the template: " + maps);
        assertTrue(maps.get(0).startsWith(STUB_PAGE), maps.get(0));
        assertTrue(maps.get(1).endsWith("[vsyscall]"), maps.get(1));
    }

    @Test
    void aStubThreadRunsUntracedWithItsSlotAndTwoFilters() throws IOException {
        AddressSpace as = platform.newAddressSpace();
        try {
            int pid = SystrapPlatform.stubPid(as);
            int tid = SystrapPlatform.stubTid(as);
            assertClean(pid);
            assertEquals(String.valueOf(Host.getpid()), Procfs.status(pid, "PPid"), "CLONE_PARENT: the sentry's child");
            assertEquals(List.of(String.valueOf(pid), String.valueOf(tid)), Procfs.tasks(pid));
            assertEquals("0", Procfs.taskStatus(pid, tid, "TracerPid"), "the stub thread is detached");
            assertTrue(!Procfs.status(pid, "TracerPid").equals("0"), "the leader stays traced (EXITKILL)");
            assertEquals("2", Procfs.taskStatus(pid, tid, "Seccomp_filters"), "template's and its own");
            assertEquals("1", Procfs.status(pid, "Seccomp_filters"), "the leader: the template's");
            long slot = SystrapPlatform.slotAddress(as);
            List<String> maps = Procfs.maps(pid);
            assertEquals(3, maps.size(), "mappings: " + maps);
            assertTrue(maps.get(0).startsWith(String.format("%x-%x rw-s", slot, slot + 0x10000)), maps.get(0));
            assertTrue(maps.get(1).startsWith(STUB_PAGE), maps.get(1));
        } finally {
            as.release();
        }
    }
}
