package dev.jvisor.sentry.fs.host;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertRet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.VfsAssertions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Host stdio fds wrapped for the workload: I/O through the host fd, no terminal ioctls on a pipe. */
class HostFileDescriptionTest {
    @Test
    void aHostPipeCarriesBytesAndIsNeitherSeekableNorATty() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            assertEquals(0, Host.pipe2(fds, Fcntl.O_CLOEXEC));
            int r = fds.get(ValueLayout.JAVA_INT, 0);
            int w = fds.get(ValueLayout.JAVA_INT, 4);
            HostFileDescription in = HostFileDescription.of(r, true);
            HostFileDescription out = HostFileDescription.of(w, true);
            assertEquals(Fcntl.O_WRONLY, out.flags() & Fcntl.O_ACCMODE);
            assertEquals(5, VfsAssertions.write(out, "hello"));
            out.decRef();
            assertEquals("hello", VfsAssertions.readFrom(in));
            assertRet(Errno.ESPIPE, in.seek(0, Fcntl.SEEK_CUR));
            assertFalse(in.isTty());
            assertRet(Errno.ENOTTY, in.ioctl(null, Ioctls.TCGETS, 0));
            Kstat st = new Kstat();
            assertEquals(0, in.stat(st));
            assertEquals(FileMode.S_IFIFO, st.mode & FileMode.S_IFMT);
            in.decRef();
            // The last reference closed the host fds.
            assertRet(Errno.EBADF, Host.close(r));
            assertRet(Errno.EBADF, Host.close(w));
        }
    }

    @Test
    void theNonblockFlagStaysInTheSandboxsDescription() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            assertEquals(0, Host.pipe2(fds, Fcntl.O_CLOEXEC));
            int r = fds.get(ValueLayout.JAVA_INT, 0);
            HostFileDescription in = HostFileDescription.of(r, true);
            in.setStatusFlags(Fcntl.O_NONBLOCK);
            assertEquals(Fcntl.O_NONBLOCK, in.flags() & Fcntl.O_NONBLOCK);
            assertEquals(0, Host.fcntl(r, Fcntl.F_GETFL, 0) & Fcntl.O_NONBLOCK);
            // An empty pipe read through the non-blocking description fails at once instead of blocking.
            assertRet(Errno.EAGAIN, in.read(a.allocate(4)));
            HostFileDescription out = HostFileDescription.of(fds.get(ValueLayout.JAVA_INT, 4), false);
            VfsAssertions.write(out, "x");
            assertEquals(1, in.read(a.allocate(4)));
            assertRet(Errno.EAGAIN, in.read(a.allocate(4)));
            out.decRef();
            in.decRef();
            Host.close(fds.get(ValueLayout.JAVA_INT, 4));
        }
    }
}
