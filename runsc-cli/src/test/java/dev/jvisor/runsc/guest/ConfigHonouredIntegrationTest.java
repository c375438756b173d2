package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config.json honoured by {@code jrunsc run}: linux.resources.pids.limit and memory.limit are enforced by the
 * sentry (EAGAIN from fork, ENOMEM from mmap, and the sandbox survives both); process.user, process.rlimits
 * and hostname are what the workload sees; tmpfs mounts are made. The programs are in test resources
 * {@code limits/}, not in the differential suite: natively they would run without the limits.
 */
class ConfigHonouredIntegrationTest {
    @TempDir
    static Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void sandboxAvailable() {
        Assumptions.assumeFalse(Sandbox.NATIVE_ONLY, "native-only run");
    }

    @Test
    void aForkBombMeetsThePidsLimitWithEagainAndTheSandboxSurvives() throws Exception {
        long strayBefore = stubsInMyProcessGroup();
        Path b = bundle("forkbomb", List.of("/bin/forkbomb"), c -> resources(c).set("pids",
                JSON.createObjectNode().put("limit", 20)));
        Outcome o = run(b, "forkbomb");
        // init is one of the 20 tasks: 19 children, then EAGAIN; the status is the workload's own.
        assertEquals("""
                forked 19, then fork failed: EAGAIN
                reaped 19, wait then failed: ECHILD
                fork after reaping: ok
                """, o.stdout(), o.stderr());
        assertEquals(3, o.status(), o.stderr());
        // The sentry has exited: no stub process of the sandbox may outlive it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stubsInMyProcessGroup() > strayBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(strayBefore, stubsInMyProcessGroup(), "stub processes left behind");
    }

    @Test
    void mappingsBeyondTheMemoryLimitFailWithEnomemAndTheSandboxSurvives() throws Exception {
        Path b = bundle("memhog", List.of("/bin/memhog"), c -> resources(c).set("memory",
                JSON.createObjectNode().put("limit", 64L << 20)));
        Outcome o = run(b, "memhog");
        assertEquals(0, o.status(), o.stderr());
        List<String> lines = o.stdout().lines().toList();
        assertEquals(2, lines.size(), o.stdout());
        String first = lines.getFirst();
        assertTrue(first.startsWith("mapped ") && first.endsWith(" MiB, then mmap failed: ENOMEM"), first);
        int mib = Integer.parseInt(first.substring("mapped ".length(), first.indexOf(" MiB")));
        // The loaded program, its stack and heap share the 64 MiB with the chunks.
        assertTrue(mib >= 32 && mib < 64, "mapped " + mib + " MiB under a 64 MiB limit");
        assertEquals("after munmap: mmap ok", lines.get(1));
    }

    @Test
    void theUserRlimitsAndHostnameAreWhatTheWorkloadSees() throws Exception {
        Path b = bundle("identity", List.of("/bin/busybox", "sh", "-c",
                "busybox id -u; busybox id -g; busybox id -G; ulimit -n; ulimit -Hn; ulimit -s; busybox hostname"),
                c -> {
                    ObjectNode process = (ObjectNode) c.get("process");
                    process.set("user", JSON.valueToTree(java.util.Map.of("uid", 1000, "gid", 1001,
                            "additionalGids", List.of(5, 7))));
                    process.set("rlimits", JSON.valueToTree(List.of(
                            java.util.Map.of("type", "RLIMIT_NOFILE", "soft", 256, "hard", 4096),
                            java.util.Map.of("type", "RLIMIT_STACK", "soft", 16 << 20,
                                    "hard", new java.math.BigInteger("18446744073709551615")))));
                    c.put("hostname", "cfgtest");
                });
        Outcome o = run(b, "identity");
        assertEquals("1000\n1001\n1001 5 7\n256\n4096\n16384\ncfgtest\n", o.stdout(), o.stderr());
        assertEquals(0, o.status());
    }

    @Test
    void anUnknownRlimitIsOneLineNamingIt() throws Exception {
        Path b = bundle("badrlimit", List.of("/bin/busybox", "true"), c -> ((ObjectNode) c.get("process"))
                .set("rlimits", JSON.valueToTree(List.of(java.util.Map.of("type", "RLIMIT_BOGUS", "soft", 1,
                        "hard", 1)))));
        Outcome o = run(b, "badrlimit");
        assertEquals(1, o.status());
        assertEquals("jrunsc: " + b.resolve("config.json")
                + ": process.rlimits[0].type: unknown rlimit RLIMIT_BOGUS\n", o.stderr());
    }

    @Test
    void aNegativeMemoryLimitOtherThanMinusOneIsRefused() throws Exception {
        Path b = bundle("badmemory", List.of("/bin/busybox", "true"), c -> resources(c).set("memory",
                JSON.createObjectNode().put("limit", -5)));
        Outcome o = run(b, "badmemory");
        assertEquals(1, o.status());
        assertEquals("jrunsc: " + b.resolve("config.json")
                + ": linux.resources.memory.limit: -5 is neither a byte count nor -1\n", o.stderr());
    }

    @Test
    void tmpfsMountsAreMadeReadWriteOrReadOnlyWithTheirDestinationsCreated() throws Exception {
        Path b = bundle("tmpfs", List.of("/bin/busybox", "sh", "-c", "echo hi > /scratch/f && busybox cat /scratch/f;"
                + " echo x > /ro/f; busybox ls -d /a/b/c; busybox grep ^tmpfs /proc/mounts"), c -> {
                    ArrayNode mounts = (ArrayNode) c.get("mounts");
                    mounts.add(tmpfs("/scratch", "nosuid", "size=1m"));
                    mounts.add(tmpfs("/ro", "ro"));
                    mounts.add(tmpfs("/a/b/c"));
                });
        Outcome o = run(b, "tmpfs");
        assertEquals("sh: can't create /ro/f: Read-only file system\n", o.stderr());
        // The config's /dev and /dev/shm tmpfs mounts stand for the sentry's own dev (source "none").
        assertEquals("hi\n/a/b/c\ntmpfs /scratch tmpfs rw,nosuid 0 0\ntmpfs /ro tmpfs ro 0 0\ntmpfs /a/b/c tmpfs rw 0 0\n",
                o.stdout());
        assertEquals(0, o.status());
        assertTrue(Files.notExists(b.resolve("rootfs/scratch")), "the mountpoint reached the host");
    }

    @Test
    void aTmpfsMountWhoseDestinationIsMissingUnderAReadOnlyRootIsOneLine() throws Exception {
        Path b = bundle("tmpfsmissing", List.of("/bin/busybox", "true"), c -> ((ArrayNode) c.get("mounts"))
                .add(tmpfs("/scratch")));
        Outcome o = Sandbox.jrunsc(dir, List.of("--overlay2=none", "--root", dir.resolve("state").toString(), "run",
                "--bundle", b.toString(), "tmpfsmissing"));
        assertEquals("jrunsc: cannot mount tmpfs at /scratch: No such file or directory\n", o.stderr());
        assertEquals(1, o.status());
    }

    private static ObjectNode tmpfs(String destination, String... options) {
        ObjectNode m = JSON.createObjectNode().put("destination", destination).put("type", "tmpfs")
                .put("source", "tmpfs");
        m.set("options", JSON.valueToTree(List.of(options)));
        return m;
    }

    private static ObjectNode resources(ObjectNode config) {
        ObjectNode linux = (ObjectNode) config.get("linux");
        return linux.has("resources") ? (ObjectNode) linux.get("resources") : linux.putObject("resources");
    }

    /** A bundle made by `jrunsc spec`: busybox and the compiled limits/ programs in /bin, config edited. */
    private static Path bundle(String name, List<String> args, Consumer<ObjectNode> edit) throws Exception {
        Path b = dir.resolve(name);
        Path bin = b.resolve("rootfs/bin");
        Files.createDirectories(bin);
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String program : List.of("forkbomb", "memhog")) {
            compile(program, bin.resolve(program));
        }
        Outcome spec = Sandbox.jrunsc(b, List.of("spec"));
        assertEquals(0, spec.status(), spec.stderr());
        ObjectNode config = (ObjectNode) JSON.readTree(b.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        process.set("args", JSON.valueToTree(args));
        edit.accept(config);
        JSON.writeValue(b.resolve("config.json").toFile(), config);
        return b;
    }

    private static void compile(String program, Path out) throws Exception {
        Path src = Path.of(System.getProperty("jvisor.repo", "."), "runsc-cli/src/test/resources/limits",
                program + ".c");
        if (!Files.isRegularFile(src)) {
            src = Path.of("src/test/resources/limits", program + ".c");
        }
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-Wall", "-Werror", "-o", out.toString(),
                src.toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gcc.waitFor(120, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc " + src + ": " + log);
    }

    private static Outcome run(Path bundle, String id) throws IOException, InterruptedException {
        return Sandbox.jrunsc(dir, List.of("--root", dir.resolve("state").toString(), "run", "--bundle",
                bundle.toString(), id));
    }

    /** jvisor-stub processes in this JVM's process group, which the sandboxes it starts share. */
    private static long stubsInMyProcessGroup() throws IOException {
        String me = pgrp(Path.of("/proc/self/stat"));
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            String stat = Files.readString(p.resolve("stat"));
                            return stat.contains("(jvisor-stub)") && me.equals(pgrp(p.resolve("stat")));
                        } catch (IOException e) {
                            return false; // it exited meanwhile
                        }
                    }).count();
        }
    }

    /** The process group from /proc/PID/stat: the third field after the parenthesised comm. */
    private static String pgrp(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return f[2];
    }
}
