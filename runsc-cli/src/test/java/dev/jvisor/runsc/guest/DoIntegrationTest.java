package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jrunsc do} as a user meets it: what a shell would say for programs that cannot run, --strace, the
 * unimplemented-syscall log, and signals forwarded to the workload.
 */
class DoIntegrationTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void sandboxAvailable() {
        Assumptions.assumeFalse(Sandbox.NATIVE_ONLY, "native-only run");
    }

    private static Outcome jrunsc(String... args) throws IOException, InterruptedException {
        return Sandbox.jrunsc(dir, List.of(args));
    }

    @Test
    void aMissingProgramIsExit127WithOneLine() throws Exception {
        Outcome o = jrunsc("do", "/no/such/program");
        assertEquals(127, o.status());
        assertEquals("jrunsc: /no/such/program: no such file or directory\n", o.stderr());
        Outcome p = jrunsc("do", "no-such-command-anywhere");
        assertEquals(127, p.status());
        assertEquals("jrunsc: no-such-command-anywhere: command not found\n", p.stderr());
    }

    @Test
    void aFileThatIsNotAnElfExecutableIsExit126() throws Exception {
        Path text = dir.resolve("text");
        Files.writeString(text, "hello, not a program\n");
        Files.setPosixFilePermissions(text, PosixFilePermissions.fromString("rwxr-xr-x"));
        Outcome o = jrunsc("do", text.toString());
        assertEquals(126, o.status());
        assertTrue(o.stderr().matches("jrunsc: .*text: .*not an ELF.*\n"), o.stderr());
    }

    @Test
    void aFileWithoutExecutePermissionIsExit126() throws Exception {
        Path f = dir.resolve("noexec");
        Files.copy(Path.of("/bin/busybox"), f);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        Outcome o = jrunsc("do", f.toString(), "true");
        assertEquals(126, o.status());
        assertEquals("jrunsc: " + f + ": permission denied\n", o.stderr());
    }

    @Test
    void anElfForAnotherMachineIsExit126() throws Exception {
        Path f = dir.resolve("aarch64");
        byte[] elf = Files.readAllBytes(Path.of("/bin/busybox"));
        elf[18] = (byte) 183; // e_machine = EM_AARCH64
        elf[19] = 0;
        Files.write(f, elf);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        Outcome o = jrunsc("do", f.toString());
        assertEquals(126, o.status());
        assertEquals(1, o.stderr().lines().count(), o.stderr());
    }

    @Test
    void dynamicallyLinkedProgramsRunThroughTheirInterpreter() throws Exception {
        Outcome t = jrunsc("do", "/bin/true");
        assertEquals(0, t.status(), t.stderr());
        assertEquals("", t.stderr());
        Outcome f = jrunsc("do", "/bin/false");
        assertEquals(1, f.status(), f.stderr());
        Outcome e = jrunsc("do", "/bin/echo", "hello");
        assertEquals(new Outcome("hello\n", "", 0), e);
        Outcome ls = jrunsc("do", "/bin/ls", "-d", "/etc", "/proc");
        assertEquals(new Outcome("/etc\n/proc\n", "", 0), ls);
    }

    @Test
    void aMissingInterpreterIsExit127AsInAShell() throws Exception {
        Path src = dir.resolve("badinterp.c");
        Files.writeString(src, "int main(void) { return 3; }\n");
        Path bin = dir.resolve("badinterp");
        Process cc = new ProcessBuilder("gcc", "-o", bin.toString(), src.toString(),
                "-Wl,--dynamic-linker=/no/such/ld.so").inheritIO().start();
        assertEquals(0, cc.waitFor());
        Outcome o = jrunsc("do", bin.toString());
        assertEquals(127, o.status());
        assertEquals(1, o.stderr().lines().count(), o.stderr());
        assertTrue(o.stderr().contains("/no/such/ld.so"), o.stderr());
    }

    @Test
    void straceWritesEntryAndExitLinesToStderr() throws Exception {
        Outcome o = jrunsc("--strace", "do", "/bin/busybox", "echo", "traced");
        assertEquals(0, o.status());
        assertEquals("traced\n", o.stdout());
        Pattern enter = Pattern.compile("(?m)^\\[1:1\\] busybox E write\\(1, 0x[0-9a-f]+ \"traced\\\\n\", 7\\)$");
        Pattern exit = Pattern.compile(
                "(?m)^\\[1:1\\] busybox X write\\(1, 0x[0-9a-f]+ \"traced\\\\n\", 7\\) = 7 \\([0-9.]+(ns|us|ms)\\)$");
        assertTrue(enter.matcher(o.stderr()).find(), o.stderr());
        assertTrue(exit.matcher(o.stderr()).find(), o.stderr());
        assertTrue(o.stderr().contains("X rseq(") && o.stderr().contains("= -38 (ENOSYS)"), o.stderr());
    }

    @Test
    void anUnimplementedSyscallIsLoggedOnceAndAnswersEnosys() throws Exception {
        Path log = dir.resolve("enosys.log");
        Path bin = GuestProgram.named("enosys").binary();
        Outcome o = jrunsc("--debug-log=" + log, "do", bin.toString());
        assertEquals(0, o.status(), o.stdout() + o.stderr());
        assertEquals("", o.stderr());
        long lines = Files.readAllLines(log).stream().filter(l -> l.contains("unimplemented syscall syscall_420"))
                .count();
        assertEquals(1, lines, Files.readString(log));
    }

    @Test
    void sigtermToTheForegroundSandboxEndsTheWorkloadWith143() throws Exception {
        Sandbox.jrunsc(dir, List.of("--version")); // built and warm
        // The workload is running once its first syscalls show in the strace log.
        Path log = dir.resolve("sleep.log");
        Files.deleteIfExists(log);
        Process p = new ProcessBuilder(Sandbox.jrunsc().toString(), "--strace", "--debug-log=" + log, "do",
                "/bin/busybox", "sleep", "60")
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(log) || !Files.readString(log).contains("E nanosleep(")
                    && !Files.readString(log).contains("E clock_nanosleep(")) {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "the workload never started");
                Thread.sleep(50);
            }
            Thread.sleep(200);
            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the sandbox ignored SIGTERM");
            assertEquals(143, p.exitValue());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
        } finally {
            p.destroyForcibly();
        }
    }
}
