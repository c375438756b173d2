package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real program: /bin/busybox applets run natively and in the sandbox, with cwd "/", and must print and exit
 * the same. The native run is also checked against what busybox is known to print, where that does not depend
 * on the host. External commands in sh fork, exec and wait; pipelines, command substitution, background jobs,
 * traps and {@code while read} loops run on the sandbox's pipes and signals.
 */
class BusyboxTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    /** One invocation. {@code stdout} is null where it depends on the host (ls /, wc of /etc/passwd). */
    record Case(String label, List<String> args, String stdout, int exit) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("echo", List.of("echo", "hello"), "hello\n", 0),
                new Case("sh arithmetic", List.of("sh", "-c", "echo $((6*7))"), "42\n", 0),
                new Case("sh loop", List.of("sh", "-c", "x=1; for i in 1 2 3; do x=$((x*2)); done; echo $x"), "8\n", 0),
                new Case("sh exit 3", List.of("sh", "-c", "exit 3"), "", 3),
                new Case("true", List.of("true"), "", 0),
                new Case("false", List.of("false"), "", 1),
                new Case("pwd", List.of("pwd"), "/\n", 0),
                new Case("ls /", List.of("ls", "/"), null, 0),
                new Case("ls missing", List.of("ls", "/nonexistent-jvisor"), "", 1),
                new Case("wc -c /etc/passwd", List.of("wc", "-c", "/etc/passwd"), null, 0),
                new Case("basename", List.of("basename", "/a/b/c"), "c\n", 0),
                new Case("expr", List.of("expr", "6", "*", "7"), "42\n", 0),
                new Case("printf", List.of("printf", "%s\\n", "a", "b"), "a\nb\n", 0),
                new Case("seq", List.of("seq", "3"), "1\n2\n3\n", 0),
                new Case("sh fork+exec+wait", List.of("sh", "-c", "/bin/busybox true; echo $?"), "0\n", 0),
                new Case("sh failing command", List.of("sh", "-c", "busybox false || echo failed"), "failed\n", 0),
                new Case("sh subshell", List.of("sh", "-c", "(exit 3); echo $?; (busybox sh -c 'exit 4'); echo $?"),
                        "3\n4\n", 0),
                new Case("sh pipeline", List.of("sh", "-c", "echo a b c | busybox wc -w | busybox tr -d ' '"),
                        "3\n", 0),
                new Case("sh command substitution", List.of("sh", "-c", "x=$(busybox echo sub); echo [$x]"),
                        "[sub]\n", 0),
                new Case("sh background job and wait", List.of("sh", "-c",
                        "busybox sleep 0.1 & busybox echo fg; wait $!; echo waited $?"), "fg\nwaited 0\n", 0),
                new Case("sh trap and kill", List.of("sh", "-c", "trap 'echo trapped' USR1; kill -USR1 $$; echo after"),
                        "trapped\nafter\n", 0),
                new Case("sh while read over a pipe", List.of("sh", "-c",
                        "busybox seq 3 | while read l; do echo line $l; done"), "line 1\nline 2\nline 3\n", 0),
                new Case("sh xargs", List.of("sh", "-c", "busybox seq 3 | busybox xargs echo n"), "n 1 2 3\n", 0),
                new Case("timeout", List.of("timeout", "1", "busybox", "sleep", "5"), "", 143),
                new Case("nproc", List.of("nproc"), null, 0),
                new Case("cpuinfo processors", List.of("grep", "-c", "^processor", "/proc/cpuinfo"), null, 0),
                new Case("cpuinfo model name", List.of("sh", "-c", "busybox grep -m1 '^model name' /proc/cpuinfo"),
                        null, 0),
                new Case("sh pipe to head (SIGPIPE)", List.of("sh", "-c", "busybox yes | busybox head -2"),
                        "y\ny\n", 0));
    }

    @ParameterizedTest(name = "busybox {0}")
    @MethodSource("cases")
    void matchesLinux(Case c) throws Exception {
        assumeTrue(Files.isExecutable(BUSYBOX), BUSYBOX + " is not installed");
        List<String> argv = new ArrayList<>();
        argv.add(BUSYBOX.toString());
        argv.addAll(c.args());
        Path root = Path.of("/");

        Outcome linux = Subprocess.run(argv, root, Subprocess.TIMEOUT);
        assertEquals(c.exit(), linux.status(), "natively:\n" + linux);
        if (c.stdout() != null) {
            assertEquals(c.stdout(), linux.stdout(), "natively:\n" + linux);
        }
        if (Sandbox.NATIVE_ONLY) {
            Outcome again = Subprocess.run(argv, root, Subprocess.TIMEOUT);
            assertEquals("", linux.differenceFrom(again, "run 1", "run 2"), "not deterministic natively");
            return;
        }
        Outcome sandbox = Sandbox.run(root, argv);
        assertEquals("", linux.differenceFrom(sandbox, "linux", "sandbox"),
                "busybox " + String.join(" ", c.args()) + " differs from Linux. Sandbox run:\n" + sandbox);
    }
}
