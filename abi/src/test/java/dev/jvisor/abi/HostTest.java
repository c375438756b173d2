package dev.jvisor.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class HostTest {
    @Test
    void getpidMatchesTheJvmsPid() {
        assertEquals(ProcessHandle.current().pid(), Host.getpid());
    }

    @Test
    void aFailedCallReturnsMinusErrno() {
        assertEquals(-Errno.EBADF.number(), Host.close(-1));
        assertEquals(-Errno.EBADF.number(), Host.read(12345, 0, 0));
    }

    @Test
    void fstatFillsTheStatLayout() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Stat.LAYOUT);
            MemorySegment path = a.allocateFrom("/");
            int fd = Host.openat(Fcntl.AT_FDCWD, path, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
            assertTrue(fd >= 0, "openat / returned " + fd);
            assertEquals(0, Host.fstat(fd, st));
            assertTrue(FileMode.isDir(Stat.mode(st)));
            assertEquals(Stat.SIZE, Stat.LAYOUT.byteSize());
            assertEquals(0, Host.close(fd));
        }
    }

    @Test
    void checkThrowsWithTheErrnoName() {
        HostException e = org.junit.jupiter.api.Assertions.assertThrows(HostException.class,
                () -> Host.check(Host.close(-1), "close"));
        assertEquals(Errno.EBADF.number(), e.errno());
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
    }

    @Test
    void signalNamesParseBothWays() {
        assertEquals(Signals.SIGTERM, Signals.parse("TERM"));
        assertEquals(Signals.SIGKILL, Signals.parse("SIGKILL"));
        assertEquals(9, Signals.parse("9"));
        assertEquals(Signals.SIGRTMIN + 2, Signals.parse("RTMIN+2"));
        assertEquals(-1, Signals.parse("NOPE"));
        assertEquals(-1, Signals.parse("0"));
    }
}
