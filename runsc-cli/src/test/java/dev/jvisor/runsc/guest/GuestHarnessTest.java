package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness itself: masking, difference reports, timeouts, directives, fixtures. */
class GuestHarnessTest {
    @Test
    void maskedLinesKeepOnlyTheirLabel() {
        Outcome a = new Outcome("x = 1\n~rseq(again) = -1 EINVAL\n~note: 17\n", "", 0);
        Outcome b = new Outcome("x = 1\n~rseq(again) = -1 ENOSYS\n~note: 99\n", "", 0);
        assertEquals(a.masked(), b.masked());
        assertEquals("x = 1\n~rseq(again) = <masked>\n~note: <masked>\n", a.masked().stdout());
    }

    @Test
    void maskingDoesNotHideUnmarkedLinesOrLabels() {
        Outcome a = new Outcome("x = 1\n~rseq(a) = 0\n", "", 0);
        assertTrue(!a.masked().equals(new Outcome("x = 2\n~rseq(a) = 0\n", "", 0).masked()));
        assertTrue(!a.masked().equals(new Outcome("x = 1\n~rseq(b) = 0\n", "", 0).masked()));
    }

    @Test
    void differenceNamesTheFirstDifferingLineAndTheStatuses() {
        Outcome linux = new Outcome("a = 1\nb = -1 EBADF\nc = 3\n", "", 0);
        Outcome sandbox = new Outcome("a = 1\nb = -1 ENOSYS\nc = 3\n", "", 1);
        String d = linux.differenceFrom(sandbox, "linux", "sandbox");
        assertTrue(d.contains("stdout differs at line 2"), d);
        assertTrue(d.contains("linux: b = -1 EBADF") && d.contains("sandbox: b = -1 ENOSYS"), d);
        assertTrue(d.contains("exit status: linux 0, sandbox 1"), d);
        assertEquals("", linux.differenceFrom(linux, "x", "y"));
    }

    @Test
    void differenceReportsMissingOutput() {
        String d = new Outcome("a\nb\n", "", 0).differenceFrom(new Outcome("a\n", "", 0), "linux", "sandbox");
        assertTrue(d.contains("line 2") && d.contains("sandbox: <end>"), d);
    }

    @Test
    void aRunThatOutlivesItsTimeoutIsKilledAndReportsItsOutput() {
        AssertionError e = assertThrows(AssertionError.class, () -> Subprocess.run(
                List.of("/bin/sh", "-c", "echo started; exec sleep 30"), Path.of("/"), Duration.ofMillis(500)));
        assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains("started"), e.getMessage());
    }

    @Test
    void subprocessCapturesBothStreamsAndTheStatus() throws Exception {
        Outcome o = Subprocess.run(List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 7"), Path.of("/"),
                Duration.ofSeconds(10));
        assertEquals(new Outcome("out\n", "err\n", 7), o);
    }

    @Test
    void directivesAreRead() {
        assertEquals(42, GuestProgram.named("exit42").expectedExit());
        assertEquals(0, GuestProgram.named("io").expectedExit());
        assertTrue(GuestProgram.named("int80").sandboxStdout().orElseThrow().contains("-ENOSYS"));
        assertTrue(GuestProgram.named("io").sandboxStdout().isEmpty());
        assertTrue(GuestProgram.all().stream().anyMatch(p -> p.name().equals("files")));
    }

    @Test
    void theFixtureTreeIsCreatedAndRemoved() throws Exception {
        Path where;
        try (ScratchDir d = ScratchDir.create("t", List.of("list/", "list/a", "list/sub/", "top"))) {
            where = d.path();
            assertTrue(Files.isDirectory(where.resolve("list/sub")));
            assertTrue(Files.isRegularFile(where.resolve("list/a")));
            assertTrue(Files.isRegularFile(where.resolve("top")));
        }
        assertTrue(!Files.exists(where));
        assertThrows(IllegalArgumentException.class, () -> ScratchDir.create("t", List.of("../escape")));
    }

    @Test
    void aProgramIsCompiledOnceAndReused() throws Exception {
        GuestProgram p = GuestProgram.named("exit42");
        Path bin = p.binary();
        assertTrue(Files.isExecutable(bin));
        long mtime = Files.getLastModifiedTime(bin).toMillis();
        assertEquals(bin, GuestProgram.named("exit42").binary());
        assertEquals(mtime, Files.getLastModifiedTime(bin).toMillis());
        Outcome o = p.runNative();
        assertEquals(new Outcome("exit42: to stdout\n", "exit42: to stderr\n", 42), o);
    }
}
