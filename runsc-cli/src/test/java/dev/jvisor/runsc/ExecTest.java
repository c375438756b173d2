package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jrunsc exec} and {@code ps} as containerd's runc shim drives them, on a running container: a foreground
 * exec exits with the process's status (code, or 128 + signal); a detached one leaves the exec helper, our child,
 * whose PID is in the pid file, which forwards the signals it gets and exits as the process did; killing the
 * helper kills the process. Each command runs bin/jrunsc as a subprocess (the test JVM is a subreaper).
 */
class ExecTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private Jrunsc j;
    private final List<String> containers = new ArrayList<>();

    private void running(String id) throws Exception {
        created(id);
        assertEquals(0, j.cmd("start", id).status());
    }

    private void created(String id) throws Exception {
        j = j != null ? j : new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b-" + id), "/bin/busybox", "sleep", "1000");
        Path pid = dir.resolve(id + ".pid");
        Jrunsc.Result created = j.cmdWithStdio(null, dir.resolve(id + ".out"), "create", "--bundle",
                bundle.toString(), "--pid-file", pid.toString(), id);
        assertEquals(0, created.status(), created.err());
        containers.add(id);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String id : containers) {
            j.cmd("delete", "--force", id);
        }
    }

    private List<Integer> ps(String id) throws Exception {
        Jrunsc.Result r = j.cmd("ps", "--format", "json", id);
        assertEquals(0, r.status(), r.err());
        List<Integer> pids = new ArrayList<>();
        JSON.readTree(r.out()).forEach(n -> pids.add(n.asInt()));
        return pids;
    }

    @Test
    void aForegroundExecPrintsAndExitsWithTheProcesssStatus() throws Exception {
        running("c1");
        Jrunsc.Result r = j.cmd("exec", "c1", "/bin/sh", "-c", "echo out-$((6*7)); echo err >&2; exit 3");
        assertEquals(3, r.status(), r.err());
        assertEquals("out-42\n", r.out());
        assertEquals("err\n", r.err());
        assertEquals(0, j.cmd("exec", "c1", "/bin/busybox", "true").status());
        // The environment, PATH included, comes from the container's config.json (PATH=/bin).
        Jrunsc.Result path = j.cmd("exec", "c1", "sh", "-c", "echo $PATH; pwd");
        assertEquals("/bin\n/\n", path.out(), path.err());
        // Its parent is outside the container, as runc's exec'd processes see it; -u sets its identity.
        Jrunsc.Result user = j.cmd("exec", "-u", "1000:1001", "c1", "sh", "-c", "id -u; id -g; echo $PPID");
        assertEquals("1000\n1001\n0\n", user.out(), user.err());
        Jrunsc.Result killed = j.cmd("exec", "c1", "/bin/sh", "-c", "kill -TERM $$");
        assertEquals(128 + Signals.SIGTERM, killed.status(), "death by a signal: the helper dies by it too");
        assertEquals(List.of(1), ps("c1"), "finished exec'd processes are reaped: only init is left");
    }

    @Test
    void aProcessSpecGivesArgsEnvCwdUmaskAndRlimits() throws Exception {
        running("c7");
        Path spec = dir.resolve("process.json");
        Files.writeString(spec, """
                {"args": ["/bin/sh", "-c", "ulimit -n; ulimit -Hn; umask; pwd; echo $FOO"],
                 "env": ["PATH=/bin", "FOO=bar"], "cwd": "/bin",
                 "user": {"uid": 0, "gid": 0, "umask": 63},
                 "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]}
                """);
        Jrunsc.Result r = j.cmd("exec", "--process", spec.toString(), "c7");
        assertEquals(0, r.status(), r.err());
        assertEquals("100\n200\n0077\n/bin\nbar\n", r.out());
        Files.writeString(spec, """
                {"args": ["/bin/true"], "rlimits": [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]}
                """);
        Jrunsc.Result bad = j.cmd("exec", "--process", spec.toString(), "c7");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("process.rlimits[0].type: unknown rlimit RLIMIT_BOGUS"), bad.err());
        assertEquals(List.of(1), ps("c7"));
    }

    @Test
    void aMissingBinaryFailsLikeAShell() throws Exception {
        running("c2");
        Jrunsc.Result r = j.cmd("exec", "c2", "/bin/nope");
        assertEquals(127, r.status());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().contains("/bin/nope: no such file or directory"), r.err());
        JsonNode logged = JSON.readTree(Files.readAllLines(j.log).getLast());
        assertEquals("error", logged.get("level").asText());
        assertTrue(logged.get("msg").asText().contains("/bin/nope"), logged.toString());
        assertEquals(List.of(1), ps("c2"), "nothing is left of the failed exec");
    }

    @Test
    void execIntoAnUnknownOrStoppedContainerFails() throws Exception {
        j = new Jrunsc(dir);
        Jrunsc.Result unknown = j.cmd("exec", "nosuch", "/bin/true");
        assertEquals(1, unknown.status());
        assertTrue(unknown.err().contains("nosuch does not exist"), unknown.err());
        assertTrue(Files.readString(j.log).contains("\"level\":\"error\""));
        created("c3");
        Jrunsc.Result beforeStart = j.cmd("exec", "c3", "/bin/sh", "-c", "echo created-$((1+1))");
        assertEquals(0, beforeStart.status(), beforeStart.err());
        assertEquals("created-2\n", beforeStart.out(), "as with runc, a created container takes exec");
        assertEquals(0, j.cmd("start", "c3").status());
        assertEquals(0, j.cmd("kill", "c3", "KILL").status());
        for (int i = 0; i < 100 && !j.cmd("state", "c3").out().contains("stopped"); i++) {
            Thread.sleep(50);
        }
        Jrunsc.Result stopped = j.cmd("exec", "c3", "/bin/busybox", "true");
        assertEquals(1, stopped.status());
        assertTrue(stopped.err().contains("stopped container c3"), stopped.err());
        assertEquals(1, j.cmd("ps", "c3").status());
    }

    @Test
    void theDetachedHelperForwardsSignalsAndExitsWithTheProcess() throws Exception {
        running("c4");
        Path pidFile = dir.resolve("e1.pid");
        Path out = dir.resolve("e1.out");
        Jrunsc.Result r = j.cmdWithStdio(null, out, "exec", "--detach", "--pid-file", pidFile.toString(), "c4",
                "/bin/sh", "-c", "trap 'echo got-term; exit 5' TERM; echo ready; while true; do sleep 1; done");
        assertEquals(0, r.status(), Files.readString(dir.resolve("e1.out.err")));
        int helper = Integer.parseInt(Files.readString(pidFile).strip());
        Path comm = Path.of("/proc/" + helper + "/comm");
        for (int i = 0; i < 100 && !Files.readString(comm).equals("jrunsc-exec\n"); i++) {
            Thread.sleep(50); // it names itself in its first instructions
        }
        assertEquals("jrunsc-exec\n", Files.readString(comm));
        List<Integer> pids = ps("c4");
        assertTrue(pids.size() >= 2 && pids.get(0) == 1, "init, the exec'd shell (and its sleep): " + pids);
        for (int i = 0; i < 100 && !Files.readString(out).contains("ready"); i++) {
            Thread.sleep(50);
        }
        assertEquals(0, Host.kill(helper, Signals.SIGTERM));
        assertEquals(5, Jrunsc.reap(helper), "the helper exits with the process's status");
        assertEquals("ready\ngot-term\n", Files.readString(out));
    }

    @Test
    void killingTheHelperKillsTheProcess() throws Exception {
        running("c5");
        Path pidFile = dir.resolve("e2.pid");
        Jrunsc.Result r = j.cmd("exec", "--detach", "--pid-file", pidFile.toString(), "c5", "/bin/busybox", "sleep",
                "1000");
        assertEquals(0, r.status(), r.err());
        int helper = Integer.parseInt(Files.readString(pidFile).strip());
        List<Integer> before = ps("c5");
        assertEquals(2, before.size(), before.toString());
        assertEquals(0, Host.kill(helper, Signals.SIGKILL));
        assertEquals(128 + Signals.SIGKILL, Jrunsc.reap(helper));
        List<Integer> after = ps("c5");
        for (int i = 0; i < 100 && after.size() > 1; i++) {
            Thread.sleep(50);
            after = ps("c5");
        }
        assertEquals(List.of(1), after, "the exec'd sleep died with its helper");
        assertFalse(ProcessHandle.of(helper).isPresent());
    }

    @Test
    void psPrintsRunscsTable() throws Exception {
        running("c6");
        Jrunsc.Result r = j.cmd("ps", "c6");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("UID", "PID", "PPID", "C", "STIME", "TIME", "CMD"),
                List.of(lines.get(0).split("\\s+")));
        assertEquals(2, lines.size(), r.out());
        String[] init = lines.get(1).split("\\s+", 7);
        assertEquals("0", init[0]);
        assertEquals("1", init[1]);
        assertEquals("0", init[2]);
        assertEquals("/bin/busybox sleep 1000", init[6]);
        assertEquals(1, j.cmd("ps", "--format", "yaml", "c6").status());
    }

    @Test
    void psAndEventsReportTheKernelsCpuTime() throws Exception {
        j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b-c7"), "/bin/busybox", "sh", "-c", "while :; do :; done");
        Jrunsc.Result created = j.cmdWithStdio(null, dir.resolve("c7.out"), "create", "--bundle",
                bundle.toString(), "c7");
        assertEquals(0, created.status(), created.err());
        containers.add("c7");
        assertEquals(0, j.cmd("start", "c7").status());
        // ash's loop of builtins runs in user mode: its TIME grows and C is its share of the elapsed time.
        long time = 0;
        String[] init = null;
        for (int i = 0; i < 100 && time < 200_000_000L; i++) {
            Thread.sleep(100);
            Jrunsc.Result r = j.cmd("ps", "c7");
            assertEquals(0, r.status(), r.err());
            init = r.out().lines().skip(1).findFirst().orElseThrow().split("\\s+", 7);
            time = GoDuration.parse("TIME", init[5]).toNanos();
        }
        assertTrue(time >= 200_000_000L, "TIME of a spinning init: " + String.join(" ", init));
        int c = Integer.parseInt(init[3]);
        assertTrue(c > 0 && c <= 99, "C of a spinning init: " + String.join(" ", init));
        JsonNode usage = cpuUsage("c7");
        long user = usage.get("user").asLong();
        long kernel = usage.get("kernel").asLong();
        assertTrue(user >= 100_000_000L, "user time of the spinning init: " + usage);
        assertEquals(user + kernel, usage.get("total").asLong(), usage.toString());
    }

    @Test
    void eventsKeepTheCpuTimeOfAnExecdProcessThatEnded() throws Exception {
        running("c8");
        long before = cpuUsage("c8").get("user").asLong();
        // A loop of builtins (tenths of a second of user time), then it exits: its time stays in the sandbox's total.
        assertEquals(0, j.cmd("exec", "c8", "/bin/busybox", "sh", "-c",
                "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").status());
        assertEquals(List.of(1), ps("c8"), "the exec'd shell is gone");
        long after = cpuUsage("c8").get("user").asLong();
        assertTrue(after - before >= 50_000_000L, "user time before " + before + ", after " + after);
    }

    private JsonNode cpuUsage(String id) throws Exception {
        Jrunsc.Result r = j.cmd("events", "--stats", id);
        assertEquals(0, r.status(), r.err());
        return JSON.readTree(r.out()).get("data").get("cpu").get("usage");
    }
}
