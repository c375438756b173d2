package dev.jvisor.runsc.guest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion with stdin from /dev/null and stdout/stderr captured in files, so a program that
 * hangs still leaves its output behind. ProcessBuilder is fine here: nothing this runs is traced by this JVM
 * (the sandbox's tracer is the sentry, a separate JVM started by bin/jrunsc).
 */
final class Subprocess {
    /** How long one run may take before it is killed and the test fails. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Subprocess() {}

    /**
     * Runs {@code command} in {@code cwd}.
     *
     * @throws AssertionError when it outlives {@code timeout}; the message holds the output so far
     */
    static Outcome run(List<String> command, Path cwd, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("jvisor-guest-", ".out");
        Path err = Files.createTempFile("jvisor-guest-", ".err");
        try {
            Process p = new ProcessBuilder(command)
                    .directory(cwd.toFile())
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command)
                        + "\noutput so far:\n" + read(out, err, -1));
            }
            return read(out, err, p.exitValue());
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Kills the whole tree: bin/jrunsc is a script whose JVM has children of its own. */
    private static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }

    private static Outcome read(Path out, Path err, int status) throws IOException {
        return new Outcome(Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1), status);
    }
}
