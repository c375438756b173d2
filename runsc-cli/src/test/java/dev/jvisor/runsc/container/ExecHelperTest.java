package dev.jvisor.runsc.container;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.MsgHdr;
import dev.jvisor.abi.Signals;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exec helper on its own, with this test as the sentry at the other end of a socketpair: it forwards every
 * signal it gets as 4 bytes, exits with the exit code it is sent, dies by the signal it is sent, and exits 255
 * when the sentry's end closes.
 */
class ExecHelperTest {
    private int sentry;
    private int helper;

    @BeforeEach
    void spawn() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            assertEquals(0, Host.socketpair(MsgHdr.AF_UNIX, MsgHdr.SOCK_STREAM | MsgHdr.SOCK_CLOEXEC, 0, sv));
            sentry = sv.getAtIndex(JAVA_INT, 0);
            int theirs = sv.getAtIndex(JAVA_INT, 1);
            helper = ExecHelper.spawn(theirs);
            Host.close(theirs);
        }
    }

    @AfterEach
    void cleanUp() {
        Host.kill(helper, Signals.SIGKILL);
        waitStatus();
        Host.close(sentry);
    }

    /** The helper's raw wait(2) status (-1 once reaped). */
    private int waitStatus() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(JAVA_INT);
            int r;
            do {
                r = Host.wait4(helper, st, 0);
            } while (r == Errno.EINTR.ret());
            return r < 0 ? -1 : st.get(JAVA_INT, 0);
        }
    }

    private void send(int v) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(JAVA_INT);
            b.set(JAVA_INT, 0, v);
            assertEquals(4, Host.write(sentry, b.address(), 4));
        }
    }

    private int receive() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(JAVA_INT);
            assertEquals(4, Host.read(sentry, b.address(), 4), "4 bytes: one signal number");
            return b.get(JAVA_INT, 0);
        }
    }

    @Test
    void exitsWithTheExitCodeItIsSent() {
        send(42 << 8);
        assertEquals(42 << 8, waitStatus());
    }

    @Test
    void diesByTheSignalItIsSent() {
        send(Signals.SIGTERM);
        assertEquals(Signals.SIGTERM, waitStatus() & 0x7f);
    }

    @Test
    void diesByACoreSignalWithoutDumpingCore() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            // Core dumps allowed (the test JVM may run with ulimit -c 0, which would hide one).
            MemorySegment unlimited = a.allocate(16).fill((byte) 0xff);
            assertEquals(0, Host.syscallFast(dev.jvisor.abi.Sysno.PRLIMIT64, helper, RLIMIT_CORE,
                    unlimited.address(), 0, 0, 0));
        }
        send(Signals.SIGSEGV | 0x80); // the process dumped core: the helper only dies by the same signal
        int st = waitStatus();
        Files.deleteIfExists(Path.of("core")); // a failure's leftovers (core_pattern "core", in our cwd)
        assertEquals(Signals.SIGSEGV, st & 0x7f);
        assertEquals(0, st & 0x80, "no core file of the helper");
    }

    private static final int RLIMIT_CORE = 4;

    /** {@code pid}'s comm once it has named itself (it starts out named after its path), or after 5 s. */
    static String comm(int pid) throws Exception {
        Path comm = Path.of("/proc/" + pid + "/comm");
        String c = Files.readString(comm);
        for (int i = 0; i < 100 && !c.equals("jrunsc-exec\n"); i++) {
            Thread.sleep(50);
            c = Files.readString(comm);
        }
        return c;
    }

    @Test
    void forwardsTheSignalsItGetsUntilTheStatusComes() throws Exception {
        assertEquals("jrunsc-exec\n", comm(helper), "its first instructions name it");
        assertEquals(0, Host.kill(helper, Signals.SIGUSR1));
        assertEquals(Signals.SIGUSR1, receive());
        assertEquals(0, Host.kill(helper, Signals.SIGTERM));
        assertEquals(Signals.SIGTERM, receive());
        assertEquals(0, Host.kill(helper, Signals.SIGINT));
        assertEquals(Signals.SIGINT, receive());
        assertTrue(Path.of("/proc/" + helper).toFile().exists(), "blocked signals do not end it");
        send(0);
        assertEquals(0, waitStatus());
    }

    @Test
    void exits255WhenTheSentryIsGone() {
        Host.close(sentry);
        sentry = -1;
        assertEquals(255 << 8, waitStatus());
    }

    @Test
    void theElfEntryIsItsCodeAndTheFdIsPatchedIn() {
        byte[] elf = ExecHelper.elf(7);
        assertEquals(0x7f, elf[0]);
        assertEquals('E', elf[1]);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x400000 + 64 + 2 * 56, b.getLong(24), "e_entry: the code after the headers");
        assertEquals(7, b.getInt(64 + 2 * 56 + 0x81), "pollfd.fd is the socket");
    }
}
