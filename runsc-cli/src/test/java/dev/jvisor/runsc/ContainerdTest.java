package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * jrunsc as containerd's runtime: a private containerd (its own root, state and socket under a temp dir, the
 * CRI plugin disabled, no TCP) runs containers through the runc v2 shim with {@code --runc-binary bin/jrunsc}.
 * Needs root and Debian's containerd package (.ci/run installs it); skipped without them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerdTest {
    @TempDir
    static Path dir;

    private Process containerd;
    private Path socket;
    private Path rootfs;
    /** A namespace of our own: the shim keeps jrunsc's state in /run/containerd/runc/NAMESPACE. */
    private final String namespace = "jvisor-test-" + ProcessHandle.current().pid();

    record Result(int status, String out, String err) {}

    @BeforeAll
    void startContainerd() throws Exception {
        assumeTrue(onPath("containerd") && onPath("ctr") && onPath("containerd-shim-runc-v2"),
                "containerd is not installed (.ci/run installs Debian's package)");
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines()
                .anyMatch(l -> l.matches("Uid:\\s+0\\s.*")), "containerd needs root");
        new Jrunsc(Files.createDirectories(dir.resolve("build"))); // builds bin/jrunsc once, quietly
        socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [metrics]
                  address = ""
                """.formatted(dir, socket));
        containerd = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("containerd.log").toFile())
                .redirectErrorStream(true)
                .start();
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            assertTrue(containerd.isAlive(), () -> "containerd exited: " + log());
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket), () -> "containerd did not listen: " + log());
        rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "sleep")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        rootfs = rootfs.getParent();
    }

    @AfterAll
    void stopContainerd() throws Exception {
        if (containerd != null) {
            containerd.destroy();
            if (!containerd.waitFor(10, TimeUnit.SECONDS)) {
                containerd.destroyForcibly();
            }
        }
        Files.deleteIfExists(Path.of("/run/containerd/runc", namespace)); // empty once every container is gone
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("containerd.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean onPath(String name) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
    }

    private Result ctr(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "--namespace", namespace));
        cmd.addAll(Arrays.asList(args));
        Path out = Files.createTempFile(dir, "ctr", ".out");
        Path err = Files.createTempFile(dir, "ctr", ".err");
        Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd + "\n" + log());
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private Result run(String id, String... argv) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--runc-binary", Jrunsc.bin().toString(),
                "--rootfs", rootfs.toString(), id));
        args.addAll(Arrays.asList(argv));
        return ctr(args.toArray(String[]::new));
    }

    private Path stateDir(String id) {
        return Path.of("/run/containerd/runc", namespace, id);
    }

    @Test
    void ctrRunPrintsTheWorkloadsOutput() throws Exception {
        Result r = run("echo1", "/bin/echo", "hi");
        assertEquals(0, r.status(), r.err());
        assertEquals("hi\n", r.out());
        assertFalse(Files.exists(stateDir("echo1")), "run --rm leaves no state directory");
    }

    @Test
    void theExitCodeComesBackThroughContainerd() throws Exception {
        Result r = run("exit7", "/bin/sh", "-c", "echo out; echo err >&2; exit 7");
        assertEquals(7, r.status(), r.err());
        assertEquals("out\n", r.out());
        assertTrue(r.err().contains("err\n"), r.err());
    }

    /**
     * {@code ctr run -t}: the workload's stdio is a pty whose master containerd received on its console socket.
     * ctr wants a terminal of its own, so it runs under script(1).
     */
    @Test
    void aTerminalContainer() throws Exception {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.isExecutable(script), "script(1) (bsdutils) is not installed");
        String ctr = String.join(" ", "ctr", "--address", socket.toString(), "--namespace", namespace, "run", "-t",
                "--rm", "--runc-binary", Jrunsc.bin().toString(), "--rootfs", rootfs.toString(), "tty1",
                "/bin/sh", "-c", "'[ -t 0 ] && [ -t 1 ] && echo hi-tty; exit 5'");
        Path out = dir.resolve("tty.out");
        Process p = new ProcessBuilder(script.toString(), "-qec", ctr, "/dev/null")
                .redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ctr run -t timed out");
        String output = Files.readString(out);
        assertEquals(5, p.exitValue(), output);
        assertTrue(output.contains("hi-tty"), "the workload's stdin and stdout are a terminal: " + output);
        assertFalse(Files.exists(stateDir("tty1")));
    }

    @Test
    void killAndRemoveLeaveNothingBehind() throws Exception {
        Result started = ctr("run", "-d", "--runc-binary", Jrunsc.bin().toString(), "--rootfs", rootfs.toString(),
                "sleeper", "/bin/sleep", "100");
        assertEquals(0, started.status(), started.err());
        Result ls = ctr("task", "ls");
        String line = ls.out().lines().filter(l -> l.startsWith("sleeper ")).findFirst()
                .orElseThrow(() -> new AssertionError(ls.out()));
        assertTrue(line.contains("RUNNING"), line);
        long pid = Long.parseLong(line.split("\\s+")[1]);
        assertTrue(Files.exists(stateDir("sleeper").resolve("state.json")));

        assertEquals(0, ctr("task", "kill", "--signal", "KILL", "sleeper").status());
        for (int i = 0; i < 200 && !ctr("task", "ls").out().contains("STOPPED"); i++) {
            Thread.sleep(50);
        }
        assertTrue(ctr("task", "ls").out().contains("STOPPED"));
        assertEquals(0, ctr("task", "rm", "sleeper").status());
        assertEquals(0, ctr("container", "rm", "sleeper").status());

        assertFalse(ProcessHandle.of(pid).isPresent(), "the sandbox process is gone");
        assertFalse(Files.exists(stateDir("sleeper")), "no state directory is left");
        assertFalse(Files.readString(Path.of("/proc/mounts")).contains(dir.toString()), "no mount is left");
    }

    @Test
    void ctrTaskExecRunsAProcessAndKillReachesIt() throws Exception {
        Result started = ctr("run", "-d", "--runc-binary", Jrunsc.bin().toString(), "--rootfs", rootfs.toString(),
                "execbox", "/bin/sleep", "100");
        assertEquals(0, started.status(), started.err());
        try {
            Result e = ctr("task", "exec", "--exec-id", "x1", "execbox", "/bin/sh", "-c", "echo exec-$((6*7)); exit 4");
            assertEquals(4, e.status(), e.err() + log());
            assertEquals("exec-42\n", e.out());

            List<String> cmd = List.of("ctr", "--address", socket.toString(), "--namespace", namespace, "task",
                    "exec", "--exec-id", "x2", "execbox", "/bin/sleep", "100");
            Process sleeper = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                    .redirectOutput(dir.resolve("x2.out").toFile()).redirectErrorStream(true).start();
            Result kill = null;
            for (int i = 0; i < 200; i++) {
                kill = ctr("task", "kill", "--exec-id", "x2", "--signal", "KILL", "execbox");
                if (kill.status() == 0) {
                    break;
                }
                Thread.sleep(100); // until the exec is registered
            }
            assertEquals(0, kill.status(), kill.err());
            assertTrue(sleeper.waitFor(60, TimeUnit.SECONDS), "ctr task exec did not return after the kill");
            assertEquals(128 + 9, sleeper.exitValue(), Files.readString(dir.resolve("x2.out")));
            Result ps = ctr("task", "ps", "execbox");
            assertEquals(0, ps.status(), ps.err());
            assertTrue(ps.out().lines().anyMatch(l -> l.startsWith("1 ")), "init, PID 1 in the sandbox: " + ps.out());

            // ctr task exec -t: a new pty whose master goes to the shim through --console-socket; the sentry
            // emulates the process's own terminal over its slave (the container has none: /dev/pts/0).
            Path script = Path.of("/usr/bin/script");
            if (Files.isExecutable(script)) {
                String ctr = String.join(" ", "ctr", "--address", socket.toString(), "--namespace", namespace,
                        "task", "exec", "-t", "--exec-id", "x3", "execbox", "/bin/sh", "-c",
                        "'[ -t 0 ] && [ -t 1 ] && echo exec-tty && tty; exit 6'");
                Path out = dir.resolve("exec-tty.out");
                Process p = new ProcessBuilder(script.toString(), "-qec", ctr, "/dev/null")
                        .redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectErrorStream(true)
                        .start();
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ctr task exec -t timed out");
                String output = Files.readString(out);
                assertEquals(6, p.exitValue(), output + log());
                assertTrue(output.contains("exec-tty"), "the exec'd process's stdio is a terminal: " + output);
                assertTrue(output.contains("/dev/pts/0"), "its own emulated terminal: " + output);
            }
        } finally {
            ctr("task", "kill", "--signal", "KILL", "execbox");
            for (int i = 0; i < 200 && !ctr("task", "ls").out().contains("STOPPED"); i++) {
                Thread.sleep(50);
            }
            ctr("task", "rm", "execbox");
            ctr("container", "rm", "execbox");
        }
    }

    /** The shim drives pause, resume and kill --all through jrunsc; ctr task ls shows what state says. */
    @Test
    void pauseResumeAndKillAllThroughContainerd() throws Exception {
        Result started = ctr("run", "-d", "--runc-binary", Jrunsc.bin().toString(), "--rootfs", rootfs.toString(),
                "freezer", "/bin/sh", "-c", "sleep 100 & sleep 100 & wait");
        assertEquals(0, started.status(), started.err());
        assertEquals(0, ctr("task", "pause", "freezer").status());
        assertTrue(taskLine("freezer").contains("PAUSED"), taskLine("freezer"));
        assertTrue(Files.readString(stateDir("freezer").resolve("state.json")).contains("\"paused\""));
        assertEquals(0, ctr("task", "resume", "freezer").status());
        assertTrue(taskLine("freezer").contains("RUNNING"), taskLine("freezer"));

        // TERM reaches the sleeps too; init (sh, no trap) dies of it as well.
        Result kill = ctr("task", "kill", "--all", "--signal", "TERM", "freezer");
        assertEquals(0, kill.status(), kill.err());
        for (int i = 0; i < 200 && !taskLine("freezer").contains("STOPPED"); i++) {
            Thread.sleep(50);
        }
        assertTrue(taskLine("freezer").contains("STOPPED"), taskLine("freezer"));
        assertEquals(0, ctr("task", "rm", "freezer").status());
        assertEquals(0, ctr("container", "rm", "freezer").status());
        assertFalse(Files.exists(stateDir("freezer")));
    }

    private String taskLine(String id) throws Exception {
        Result ls = ctr("task", "ls");
        return ls.out().lines().filter(l -> l.startsWith(id + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(ls.out()));
    }
}
