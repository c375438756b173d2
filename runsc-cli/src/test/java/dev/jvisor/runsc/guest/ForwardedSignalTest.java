package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM sent to {@code jrunsc do} reaches the workload's handler, as one sent to the program natively does:
 * the same program runs both ways, gets SIGTERM twice from this test (Process.destroy), and must print the same.
 * The first signal interrupts a nanosleep (EINTR with the time left), the second a pause, the third a busy loop
 * in user mode.
 */
class ForwardedSignalTest {
    @TempDir
    Path dir;

    @Test
    void sigtermRunsTheWorkloadsHandlerLikeOnLinux() throws Exception {
        Path bin = compile();
        String linux = runAndSignal(List.of(bin.toString()));
        assertTrue(linux.contains("busy loop left, handled 3"), "native run:\n" + linux);
        if (Sandbox.NATIVE_ONLY) {
            return;
        }
        List<String> sandboxed = new ArrayList<>(List.of(Sandbox.jrunsc().toString()));
        sandboxed.addAll(Sandbox.platformOption());
        sandboxed.addAll(List.of("do", bin.toString()));
        Sandbox.run(dir, List.of("/bin/true")); // builds bin/jrunsc first, so its stderr stays quiet
        assertEquals(linux, runAndSignal(sandboxed));
    }

    private Path compile() throws IOException, InterruptedException {
        Path src = Path.of(GuestProgram.sourceDir().getParent().toString(), "forwarded", "sigterm.c");
        Path bin = dir.resolve("sigterm");
        Process p = new ProcessBuilder("gcc", "-static", "-O1", "-Wall", "-Werror", "-o", bin.toString(),
                src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return bin;
    }

    /** Runs {@code cmd}, sends SIGTERM after each "ready" line, and returns stdout, stderr and the status. */
    private String runAndSignal(List<String> cmd) throws IOException, InterruptedException {
        Path out = dir.resolve("out"), err = dir.resolve("err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            for (String ready : List.of("ready 1\n", "ready 2\n", "ready 3\n")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.readString(out).contains(ready)) {
                    assertTrue(p.isAlive() && System.nanoTime() < deadline, "no '" + ready.strip() + "':\n"
                            + Files.readString(out) + Files.readString(err));
                    Thread.sleep(20);
                }
                Thread.sleep(200); // into the nanosleep or pause
                p.destroy();       // SIGTERM
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running:\n" + Files.readString(out));
            return Files.readString(out) + "--- stderr\n" + Files.readString(err) + "--- status " + p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }
}
