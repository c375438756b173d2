package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jrunsc as a user runs it: from another directory, with this JVM's JDK, on this test's classpath
 * (JRUNSC_CLASSPATH, so the test never starts a nested Maven build). The JVM must print nothing of its own.
 */
class LauncherTest {
    @Test
    void helpSyscallsThroughTheLauncherLeavesStderrEmpty(@TempDir Path cwd) throws IOException, InterruptedException {
        Path launcher = Path.of(System.getProperty("jvisor.repo", "..")).resolve("bin/jrunsc").toAbsolutePath();
        Path out = cwd.resolve("out");
        Path err = cwd.resolve("err");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--debug", "--debug-log", cwd.resolve("debug.log").toString(),
                "help", "syscalls")
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JRUNSC_CLASSPATH", testClasspath());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jrunsc did not finish in 60 s");
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stderr);
        assertEquals("", stderr);
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(stdout.startsWith("NR "), stdout);
        assertTrue(stdout.lines().anyMatch(l -> l.matches("0 +read +supported.*")), stdout);
        assertTrue(Files.readString(cwd.resolve("debug.log")).contains("command jrunsc help syscalls"));
    }

    /** Surefire may run tests through a manifest-only jar: its real classpath is in a property. */
    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
