package dev.jvisor.runsc.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.runsc.container.ContainerException;
import dev.jvisor.sentry.boot.SandboxException;
import dev.jvisor.sentry.boot.SandboxStats;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket's protocol: one JSON request per connection, answered by the sandbox's handler. */
class ControlServerTest {
    @TempDir
    Path dir;

    private final List<String> calls = new CopyOnWriteArrayList<>();

    private ControlServer listen(Path socket) throws Exception {
        return ControlServer.listen(socket, new ControlServer.Handler() {
            @Override
            public void start() {
                calls.add("start");
            }

            @Override
            public void kill(int signal, boolean all) {
                calls.add("kill " + signal + (all ? " all" : ""));
            }

            @Override
            public void pause() {
                calls.add("pause");
            }

            @Override
            public void resume() {
                calls.add("resume");
            }

            @Override
            public SandboxStats stats() {
                calls.add("stats");
                return new SandboxStats(4_000_000, 1_000_000, 1 << 20, 1 << 30, 3, 64);
            }

            @Override
            public void update(ControlRequest.Limits limits) {
                if (limits.memory() != null && limits.memory() == 1) {
                    throw new SandboxException("memory limit 1 is below the memory in use", 1);
                }
                calls.add("update pids=" + limits.pids() + " memory=" + limits.memory());
            }
        });
    }

    @Test
    void startAndKillReachTheHandler() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer s = listen(socket)) {
            assertTrue(ControlClient.call(socket, ControlRequest.start()).ok());
            assertTrue(ControlClient.call(socket, ControlRequest.kill(9, true)).ok());
            assertTrue(ControlClient.call(socket, ControlRequest.kill(15, false)).ok());
        }
        assertEquals(List.of("start", "kill 9 all", "kill 15"), calls);
        assertFalse(Files.exists(socket), "closing removes the socket file");
    }

    @Test
    void pauseResumeStatsAndUpdateReachTheHandler() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer s = listen(socket)) {
            assertTrue(ControlClient.call(socket, ControlRequest.pause()).ok());
            assertTrue(ControlClient.call(socket, ControlRequest.resume()).ok());
            assertEquals(new SandboxStats(4_000_000, 1_000_000, 1 << 20, 1 << 30, 3, 64),
                    ControlClient.call(socket, ControlRequest.stats()).stats(), "the stats come back whole");
            assertTrue(ControlClient.call(socket, ControlRequest.update(new ControlRequest.Limits(10L, null))).ok());
            assertEquals("memory limit 1 is below the memory in use",
                    assertThrows(ContainerException.class, () -> ControlClient.call(socket,
                            ControlRequest.update(new ControlRequest.Limits(null, 1L)))).getMessage(),
                    "a refusal of the sandbox comes back as its reason");
        }
        assertEquals(List.of("pause", "resume", "stats", "update pids=10 memory=null"), calls);
    }

    @Test
    void aWaitIsAnsweredWhenTheInitExits() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer s = listen(socket)) {
            CompletableFuture<ControlResponse> w = CompletableFuture.supplyAsync(
                    () -> ControlClient.call(socket, ControlRequest.awaitExit()));
            Thread.sleep(100);
            assertFalse(w.isDone(), "the init has not exited");
            s.exited(137);
            assertEquals(137, w.get(5, TimeUnit.SECONDS).exitStatus());
            assertEquals(137, ControlClient.call(socket, ControlRequest.awaitExit()).exitStatus(),
                    "a wait after the exit answers at once");
        }
    }

    @Test
    void badRequestsAreRefusedWithAReason() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer s = listen(socket)) {
            assertEquals("invalid signal 0",
                    assertThrows(ContainerException.class,
                            () -> ControlClient.call(socket, ControlRequest.kill(0, false))).getMessage());
            assertEquals("unknown control request 'freeze'",
                    assertThrows(ContainerException.class,
                            () -> ControlClient.call(socket, new ControlRequest("freeze", 0, false))).getMessage());
            assertEquals("update without limits",
                    assertThrows(ContainerException.class,
                            () -> ControlClient.call(socket, new ControlRequest("update", 0, false))).getMessage());
            String garbage = raw(socket, "{not json\n");
            assertTrue(garbage.startsWith("{\"ok\":false,\"error\":\"bad control request: "), garbage);
            assertTrue(ControlClient.call(socket, ControlRequest.start()).ok(), "the server survives them");
        }
        assertEquals(List.of("start"), calls);
    }

    @Test
    void noSandboxIsSandboxGone() {
        assertThrows(ControlClient.SandboxGoneException.class,
                () -> ControlClient.call(dir.resolve("none.sock"), ControlRequest.start()));
    }

    private static String raw(Path socket, String request) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(ch);
            out.write(request.getBytes());
            out.flush();
            ch.shutdownOutput();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (ch.read(b) >= 0) {
                // until the server closes
            }
            return new String(b.array(), 0, b.position());
        }
    }
}
