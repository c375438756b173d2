package dev.jvisor.gofer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Signals;
import dev.jvisor.gofer.GoferMain;
import dev.jvisor.gofer.GoferServer;
import dev.jvisor.gofer.wire.Channel;
import dev.jvisor.gofer.wire.Protocol;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The gofer process: how it starts, what it refuses in read-only mode, and how it ends. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoferLifecycleTest {
    @TempDir
    Path base;
    Path root;

    @BeforeEach
    void tree() throws IOException {
        root = HostFixture.build(base);
    }

    @AfterEach
    void cleanup() throws IOException {
        HostFixture.cleanup(root);
    }

    static boolean exitedWith(int status, int code) {
        return (status & 0x7f) == 0 && ((status >> 8) & 0xff) == code;
    }

    @Test
    void theGoferExitsCleanlyWhenTheClientCloses() {
        long t0 = System.nanoTime();
        GoferProcess g = GoferLauncher.start(GoferLauncher.defaultCommand(), root.toString(), false);
        // Reported, not asserted: spawn of a JVM plus the first Attach.
        System.out.printf("gofer start to first Attach reply: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        int pid = g.pid();
        assertTrue(HostFixture.alive(pid));
        int status = g.closeAndWait();
        assertTrue(exitedWith(status, GoferServer.EXIT_OK), "wait status 0x" + Integer.toHexString(status));
        assertFalse(HostFixture.alive(pid), "pid " + pid + " still exists after close");
        assertThrows(GoferException.class, () -> g.client().stat(g.client().root()));
    }

    @Test
    void theGofersStdioIsDevNullAndItsSocketIsFd3() throws IOException {
        try (GoferProcess g = GoferLauncher.start(GoferLauncher.defaultCommand(), root.toString(), false)) {
            Path fds = Path.of("/proc/" + g.pid() + "/fd");
            for (int fd = 0; fd <= 2; fd++) {
                assertEquals("/dev/null", Files.readSymbolicLink(fds.resolve(Integer.toString(fd))).toString());
            }
            assertTrue(Files.readSymbolicLink(fds.resolve("3")).toString().startsWith("socket:"));
        }
    }

    @Test
    void readonlyRefusesEveryWriteOpenWithErofs() {
        try (GoferProcess g = GoferLauncher.start(GoferLauncher.defaultCommand(), root.toString(), true)) {
            GoferClient c = g.client();
            GoferClient.Fid f = c.walk(c.root(), "file.txt");
            for (int flags : new int[] {Fcntl.O_WRONLY, Fcntl.O_RDWR, Fcntl.O_RDONLY | Fcntl.O_TRUNC,
                Fcntl.O_WRONLY | Fcntl.O_APPEND}) {
                ErrnoException e = assertThrows(ErrnoException.class, () -> c.open(f, flags));
                assertEquals(Errno.EROFS, e.errno(), "flags 0" + Integer.toOctalString(flags));
            }
            int fd = c.open(f, Fcntl.O_RDONLY);
            assertEquals(HostFixture.FILE_CONTENT, HostFixture.pread(fd, 4096));
            Host.close(fd);
            // As on a read-only mount, a directory opened for writing is EISDIR first.
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> c.open(c.walk(c.root(), "dir"), Fcntl.O_WRONLY));
            assertEquals(Errno.EISDIR, e.errno());
        }
    }

    @Test
    void aRootThatCannotBeOpenedFailsTheStart() {
        assertThrows(GoferException.class, () -> GoferLauncher.start(GoferLauncher.defaultCommand(),
                base.resolve("missing").toString(), false));
        assertThrows(GoferException.class, () -> GoferLauncher.start(GoferLauncher.defaultCommand(),
                root.resolve("file.txt").toString(), false));
    }

    @Test
    void aKilledGoferBreaksTheClientWithGoferException() {
        GoferProcess g = GoferLauncher.start(GoferLauncher.defaultCommand(), root.toString(), false);
        GoferClient c = g.client();
        c.stat(c.root());
        Host.kill(g.pid(), Signals.SIGKILL);
        assertThrows(GoferException.class, () -> c.stat(c.root()));
        assertThrows(GoferException.class, () -> c.walk(c.root(), "file.txt"));
        int status = g.closeAndWait();
        assertEquals(Signals.SIGKILL, status & 0x7f);
    }

    /** Runs {@link OrphanGoferParent} to completion; returns the pids it wrote (gofer first). */
    private int[] orphan(String mode) throws Exception {
        Path pidFile = base.resolve("gofer.pid");
        List<String> argv = new ArrayList<>(GoferLauncher.defaultCommand());
        argv.set(argv.size() - 1, OrphanGoferParent.class.getName());
        argv.addAll(List.of(pidFile.toString(), root.toString(), "300", mode));
        int[] sv = HostFixture.socketpair();
        int parent = PosixSpawn.spawn(argv, sv[1], 3);
        Host.close(sv[0]);
        Host.close(sv[1]);
        int status = HostFixture.waitFor(parent, 30_000);
        assertTrue(exitedWith(status, 0), "parent wait status 0x" + Integer.toHexString(status));
        return java.util.Arrays.stream(Files.readString(pidFile).split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static void assertDiesSoon(int pid) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && !dead(pid)) {
            Thread.sleep(10);
        }
        assertTrue(dead(pid), "gofer " + pid + " outlived its parent");
    }

    @Test
    void theGoferDiesWithItsParent() throws Exception {
        assertDiesSoon(orphan("close-socket")[0]);
    }

    @Test
    void theGoferDiesWithItsParentEvenWhileItsSocketStaysOpen() throws Exception {
        int[] pids = orphan("keep-socket");
        try {
            assertTrue(HostFixture.alive(pids[1]), "the process holding the socket is gone");
            assertDiesSoon(pids[0]); // only PR_SET_PDEATHSIG can have done it
        } finally {
            Host.kill(pids[1], Signals.SIGKILL);
        }
    }

    /** Gone, or a zombie waiting for a reaper that is not us. */
    private static boolean dead(int pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        try {
            String s = Files.readString(stat);
            return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        }
    }

    /** A gofer spawned on a raw socketpair, with a debug log, for feeding it bytes by hand. */
    private final class RawGofer implements AutoCloseable {
        final int fd;
        final int pid;
        final Path log = base.resolve("gofer.log");

        RawGofer() {
            int[] sv = HostFixture.socketpair();
            List<String> argv = new ArrayList<>(GoferLauncher.defaultCommand());
            argv.addAll(List.of("--debug-log", log.toString(), "--io-fd", "3", "--root", root.toString()));
            pid = PosixSpawn.spawn(argv, sv[1], 3);
            Host.close(sv[1]);
            fd = sv[0];
        }

        void write(byte[] bytes) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(bytes.length);
                buf.copyFrom(MemorySegment.ofArray(bytes));
                assertEquals(bytes.length, Host.write(fd, buf.address(), bytes.length));
            }
        }

        /** Reads until end of stream; returns how many bytes came first. */
        long readToEnd() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(65536);
                long total = 0;
                long n;
                while ((n = Host.read(fd, buf.address(), 65536)) > 0) {
                    total += n;
                }
                assertTrue(n == 0 || n == -Errno.ECONNRESET.number(), "read: " + n);
                return total;
            }
        }

        String logText() throws IOException {
            return Files.exists(log) ? Files.readString(log) : "";
        }

        @Override
        public void close() {
            Host.close(fd);
        }
    }

    private void assertMalformedClosesTheConnection(byte[] garbage) throws Exception {
        try (RawGofer g = new RawGofer()) {
            g.write(garbage);
            g.readToEnd();
            int status = HostFixture.waitFor(g.pid, 30_000);
            assertTrue(exitedWith(status, GoferServer.EXIT_ERROR), "wait status 0x" + Integer.toHexString(status));
            String log = g.logText();
            assertTrue(log.contains("malformed message"), log);
            assertFalse(log.contains("Exception"), log);
            assertFalse(log.contains("\tat "), log);
        }
    }

    private static byte[] frame(int len, int id, int type, byte... payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + payload.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(len).putInt(id).putInt(type).put(payload);
        return b.array();
    }

    @Test
    void garbageBytesCloseTheConnectionWithoutACrash() throws Exception {
        byte[] garbage = new byte[4096];
        new java.util.Random(42).nextBytes(garbage);
        garbage[3] = (byte) 0x7f; // the length field reads as far more than MAX_FRAME
        assertMalformedClosesTheConnection(garbage);
    }

    @Test
    void anOversizedFrameClosesTheConnection() throws Exception {
        assertMalformedClosesTheConnection(frame(Protocol.MAX_FRAME + 1, 1, Protocol.STAT));
    }

    @Test
    void aFrameShorterThanItsHeaderClosesTheConnection() throws Exception {
        assertMalformedClosesTheConnection(frame(4, 1, Protocol.STAT));
    }

    @Test
    void anUnknownTypeClosesTheConnection() throws Exception {
        assertMalformedClosesTheConnection(frame(12, 1, 99));
    }

    @Test
    void aTruncatedPayloadClosesTheConnection() throws Exception {
        // A Stat whose frame holds 4 of the 8 bytes of its fid.
        assertMalformedClosesTheConnection(frame(16, 1, Protocol.STAT, (byte) 1, (byte) 0, (byte) 0, (byte) 0));
    }

    @Test
    void trailingBytesCloseTheConnection() throws Exception {
        assertMalformedClosesTheConnection(frame(12 + 9, 1, Protocol.STAT, new byte[9]));
    }

    @Test
    void anEndOfStreamInsideAFrameClosesTheConnection() throws Exception {
        try (RawGofer g = new RawGofer()) {
            g.write(frame(100, 1, Protocol.STAT, new byte[8]));
            Host.shutdown(g.fd, dev.jvisor.abi.MsgHdr.SHUT_WR);
            g.readToEnd();
            int status = HostFixture.waitFor(g.pid, 30_000);
            assertTrue(exitedWith(status, GoferServer.EXIT_ERROR), "wait status 0x" + Integer.toHexString(status));
            assertTrue(g.logText().contains("malformed message"), g.logText());
        }
    }

    @Test
    void aRequestCarryingADescriptorClosesTheConnection() throws Exception {
        try (RawGofer g = new RawGofer(); Arena a = Arena.ofConfined()) {
            Channel ch = new Channel(g.fd, a);
            ch.begin(1, Protocol.ATTACH).putInt(0);
            ch.send(0);
            g.readToEnd();
            int status = HostFixture.waitFor(g.pid, 30_000);
            assertTrue(exitedWith(status, GoferServer.EXIT_ERROR), "wait status 0x" + Integer.toHexString(status));
            assertTrue(g.logText().contains("carried descriptors"), g.logText());
        }
    }

    @Test
    void aWellFormedRequestAfterRawStartIsAnswered() throws Exception {
        // The raw harness itself works: an Attach gets a reply, then a close ends the gofer with status 0.
        try (RawGofer g = new RawGofer(); Arena a = Arena.ofConfined()) {
            Channel ch = new Channel(g.fd, a);
            ch.begin(7, Protocol.ATTACH).putInt(0);
            ch.send(-1);
            assertTrue(ch.receive());
            assertEquals(7, ch.id());
            assertEquals(0, ch.typeOrStatus());
            Host.shutdown(g.fd, dev.jvisor.abi.MsgHdr.SHUT_WR);
            assertFalse(ch.receive());
            int status = HostFixture.waitFor(g.pid, 30_000);
            assertTrue(exitedWith(status, GoferServer.EXIT_OK), "wait status 0x" + Integer.toHexString(status));
        }
    }

    @Test
    void badArgumentsExitWithUsageStatus() throws Exception {
        List<String> argv = new ArrayList<>(GoferLauncher.defaultCommand());
        argv.add("--bogus");
        int[] sv = HostFixture.socketpair();
        int pid = PosixSpawn.spawn(argv, sv[1], 3);
        Host.close(sv[0]);
        Host.close(sv[1]);
        assertTrue(exitedWith(HostFixture.waitFor(pid, 30_000), GoferMain.EXIT_USAGE));
    }
}
