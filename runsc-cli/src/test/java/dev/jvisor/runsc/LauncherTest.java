package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jrunsc as a user runs it: from another directory, with this JVM's JDK, on this test's classpath
 * (JRUNSC_CLASSPATH, so the test never starts a nested Maven build). The JVM must print nothing of its own, and
 * gets the flags that keep it quiet; the sentry's commands keep C2.
 */
class LauncherTest {
    @TempDir
    Path dir;

    /**
     * What one launcher run left: its status, stdout, stderr, and the JVM's own flags from the JVM command line
     * in the debug log (the launcher puts them before its -Djvisor properties, whose values hold the gofer's).
     */
    private record Launch(int status, String out, String err, String jvm) {}

    private Launch launch(String... args) throws IOException, InterruptedException {
        Path launcher = Path.of(System.getProperty("jvisor.repo", "..")).resolve("bin/jrunsc").toAbsolutePath();
        Path debugLog = dir.resolve("debug-" + args[0] + ".log");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString(), "--debug", "--debug-log",
                debugLog.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JRUNSC_CLASSPATH",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jrunsc did not finish in 60 s");
        String line = Files.readAllLines(debugLog).stream().filter(l -> l.contains("] jvm ")).findFirst()
                .orElseThrow();
        String jvm = line.substring(line.indexOf("] jvm ") + 5, line.indexOf(" -Djvisor.java="));
        return new Launch(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), jvm);
    }

    @Test
    void aShortCommandPrintsOnlyItsOutputAndStartsWithC1() throws Exception {
        Launch l = launch("help", "syscalls");
        assertEquals(0, l.status(), l.err());
        assertEquals("", l.err());
        assertTrue(l.out().startsWith("NR "), l.out());
        assertTrue(l.out().lines().anyMatch(line -> line.matches("0 +read +supported.*")), l.out());
        for (String flag : new String[] {"-Xlog:disable", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1"}) {
            assertTrue(l.jvm().contains(" " + flag), flag + " missing from " + l.jvm());
        }
    }

    @Test
    void theSentrysCommandsKeepTieredCompilation() throws Exception {
        // A do that fails before booting: only the JVM's flags matter here.
        Launch l = launch("do", "--root-path", dir.resolve("none").toString(), "true");
        assertEquals(BaseCommand.FAILURE, l.status());
        assertEquals("jrunsc: --root-path " + dir.resolve("none") + ": no such directory\n", l.err());
        assertTrue(l.jvm().contains(" -Xlog:disable"), l.jvm());
        assertFalse(l.jvm().contains("TieredStopAtLevel"), l.jvm());
    }
}
