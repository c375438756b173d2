package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The caller's stdio as host pipes. A read of the caller's stdin (a host pipe here) blocks only until data comes, and a signal to the sandbox ends
 * it even while nothing ever comes: the wait is a host ppoll on the fd plus the task's wake-up eventfd, never a
 * host read that nothing can interrupt.
 */
class HostStdioTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private static Process start(String... argv) throws Exception {
        assumeFalse(Sandbox.NATIVE_ONLY, "sandbox runs are switched off");
        assumeTrue(Files.isExecutable(BUSYBOX), BUSYBOX + " is not installed");
        Sandbox.run(Path.of("/"), List.of(BUSYBOX.toString(), "true")); // builds bin/jrunsc first
        List<String> cmd = new java.util.ArrayList<>(List.of(Sandbox.jrunsc().toString()));
        cmd.addAll(Sandbox.platformOption());
        cmd.addAll(List.of("do", BUSYBOX.toString()));
        cmd.addAll(List.of(argv));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static Process start() throws Exception {
        return start("sh", "-c", "echo ready; read x; echo got $x");
    }

    @Test
    void aWriterToAHostPipeWhoseReaderIsGoneDiesBySigpipe() throws Exception {
        Process p = start("yes");
        try {
            assertEquals("y\ny\n", new String(p.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            p.getInputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "yes still runs after its reader left");
            assertEquals(128 + 13, p.exitValue(), "as natively: killed by SIGPIPE");
        } finally {
            p.destroyForcibly();
        }
    }

    /** Waits for the workload's "ready" line: the sandbox is up and the next thing it does is read(0). */
    private static void awaitReady(Process p) throws java.io.IOException {
        byte[] want = "ready\n".getBytes(StandardCharsets.US_ASCII);
        byte[] got = p.getInputStream().readNBytes(want.length);
        assertEquals("ready\n", new String(got, StandardCharsets.US_ASCII));
    }

    @Test
    void aBlockedReadOfStdinGetsTheDataWhenItComes() throws Exception {
        Process p = start();
        try {
            awaitReady(p);
            Thread.sleep(300); // let the workload block in read(0)
            try (OutputStream in = p.getOutputStream()) {
                in.write("hello\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the sandbox still runs");
            assertEquals("got hello\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigtermEndsASandboxBlockedReadingStdin() throws Exception {
        Process p = start();
        try {
            awaitReady(p);
            Thread.sleep(300);
            assertTrue(p.isAlive(), "the read should still be waiting");
            // SIGTERM to the sentry, which forwards it to the workload. Not Process.destroy(): it also closes our
            // ends of the workload's stdio, and a workload woken by that EOF may write "got" into a closed pipe
            // and die of SIGPIPE first, as it would on Linux.
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "SIGTERM did not end a sandbox blocked in read(0)");
            assertEquals(128 + 15, p.exitValue(), "the workload dies by the SIGTERM it was sent");
        } finally {
            p.getOutputStream().close();
            p.destroyForcibly();
        }
    }
}
