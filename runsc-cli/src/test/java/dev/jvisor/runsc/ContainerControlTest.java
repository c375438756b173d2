package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that act on a running container from outside, as containerd's shim and Docker use them:
 * {@code kill --all}, {@code pause}/{@code resume}, {@code events}, {@code update}, and {@code run} registering
 * its container so that the others reach it. Each command runs bin/jrunsc as a subprocess.
 */
class ContainerControlTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A shell loop printing 1, 2, 3... every 50 ms into the container's stdout. */
    private static final String COUNTER = "i=0; while true; do i=$((i+1)); echo $i; sleep 0.05; done";

    @Test
    void pauseStopsEveryTaskAndResumeLetsThemGoOn() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/sh", "-c", COUNTER);
        Path out = dir.resolve("out");
        long pid = createAndStart(j, bundle, "c1", out);
        awaitTrue(() -> lines(out) >= 3, "the counter runs");

        assertEquals(0, j.cmd("pause", "c1").status());
        assertEquals("paused", state(j, "c1").get("status").asText());
        Thread.sleep(300); // a line being written as the pause came may still land
        int frozenAt = lines(out);
        Thread.sleep(1000);
        assertEquals(frozenAt, lines(out), "nothing runs while paused (20 lines a second otherwise)");

        assertEquals(0, j.cmd("resume", "c1").status());
        assertEquals("running", state(j, "c1").get("status").asText());
        awaitTrue(() -> lines(out) >= frozenAt + 3, "the counter goes on after resume");
        List<String> seen = Files.readAllLines(out);
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(Integer.toString(i + 1), seen.get(i), "the count resumes where it stopped");
        }

        // A paused container still dies of SIGKILL: from kill, and from delete --force.
        assertEquals(0, j.cmd("pause", "c1").status());
        assertEquals(0, j.cmd("kill", "c1", "KILL").status());
        assertEquals(137, Jrunsc.reap(pid));
        assertEquals("stopped", state(j, "c1").get("status").asText());
        long p2 = createAndStart(j, bundle, "c2", dir.resolve("out2"));
        assertEquals(0, j.cmd("pause", "c2").status());
        assertEquals(0, j.cmd("delete", "--force", "c2").status());
        assertEquals(137, Jrunsc.reap(p2));
        assertFalse(Files.exists(j.root.resolve("c2")));
        assertEquals(0, j.cmd("delete", "c1").status());
    }

    @Test
    void aFatalSignalEndsAPausedContainerAndOthersWaitForResume() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        // The trap runs only when the shell runs: after the resume.
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/sh", "-c",
                "trap 'echo got HUP; exit 7' HUP; echo ready; while true; do sleep 0.05; done");
        Path out = dir.resolve("out");
        long pid = createAndStart(j, bundle, "c1", out);
        awaitTrue(() -> lines(out) >= 1, "the shell is ready");
        assertEquals(0, j.cmd("pause", "c1").status());
        assertEquals(0, j.cmd("kill", "c1", "HUP").status());
        Thread.sleep(500);
        assertEquals("ready\n", Files.readString(out), "the handler waits for the resume");
        assertEquals("paused", state(j, "c1").get("status").asText());
        assertEquals(0, j.cmd("resume", "c1").status());
        assertEquals(7, Jrunsc.reap(pid));
        assertEquals("ready\ngot HUP\n", Files.readString(out));

        // SIGTERM with the default action kills even while paused, as Linux lets a frozen task die.
        Path sleeper = Jrunsc.bundle(dir.resolve("s"), "/bin/busybox", "sleep", "100");
        long p2 = createAndStart(j, sleeper, "c2", dir.resolve("out2"));
        assertEquals(0, j.cmd("pause", "c2").status());
        assertEquals(0, j.cmd("kill", "c2").status());
        assertEquals(143, Jrunsc.reap(p2));
    }

    @Test
    void pauseAndResumeRefuseTheWrongStatus() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/busybox", "sleep", "100");
        long created = create(j, bundle, "c1", dir.resolve("out"));
        assertEquals("cannot pause container c1: it is created, not running", failure(j.cmd("pause", "c1")));
        assertEquals(1, stats(j, "c1").get("pids").get("current").asInt(), "a created container has its init");
        assertEquals(0, j.cmd("start", "c1").status());
        assertEquals("cannot resume container c1: it is running, not paused", failure(j.cmd("resume", "c1")));
        assertEquals(0, j.cmd("pause", "c1").status());
        assertEquals("cannot pause container c1: it is paused, not running", failure(j.cmd("pause", "c1")));
        assertEquals("container c1 is paused", failure(j.cmd("start", "c1")));
        assertEquals(0, j.cmd("kill", "c1", "9").status());
        assertEquals(137, Jrunsc.reap(created));
        assertEquals("cannot resume container c1: it is stopped, not paused", failure(j.cmd("resume", "c1")));
        assertEquals("container nope does not exist", failure(j.cmd("pause", "nope")));
        assertEquals(0, j.cmd("delete", "c1").status());
    }

    @Test
    void killAllReachesEveryProcess() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        // init ignores nothing but handles SIGTERM; its two children sleep with the default action.
        String script = "trap 'echo init got TERM' TERM; sleep 100 & sleep 100 & echo ready; "
                + "while ! wait; do :; done; echo children gone";
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/sh", "-c", script);

        Path out1 = dir.resolve("out1");
        long one = createAndStart(j, bundle, "c1", out1);
        awaitTrue(() -> lines(out1) >= 1, "ready");
        assertEquals(0, j.cmd("kill", "c1", "TERM").status());
        awaitTrue(() -> contents(out1).contains("init got TERM"), "init's handler runs");
        Thread.sleep(500);
        assertFalse(contents(out1).contains("children gone"), "without --all the children live on");

        assertEquals(0, j.cmd("kill", "--all", "c1", "TERM").status());
        assertEquals(0, Jrunsc.reap(one), "init outlives its children and exits normally");
        assertTrue(contents(out1).endsWith("children gone\n"), contents(out1));

        // With SIGKILL, --all ends everything at once.
        long two = createAndStart(j, bundle, "c2", dir.resolve("out2"));
        assertEquals(0, j.cmd("kill", "-a", "c2", "9").status());
        assertEquals(137, Jrunsc.reap(two));
        for (String id : List.of("c1", "c2")) {
            assertEquals(0, j.cmd("delete", id).status());
        }
    }

    @Test
    void eventsReportsRuncStatsOfTheSandbox() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/sh", "-c", "sleep 100 & sleep 100 & wait");
        resources(bundle, "{\"pids\": {\"limit\": 20}, \"memory\": {\"limit\": 268435456}, "
                + "\"cpu\": {\"shares\": 512}}");
        long pid = createAndStart(j, bundle, "c1", dir.resolve("out"));
        awaitTrue(() -> {
            try {
                return stats(j, "c1").get("pids").get("current").asInt() == 3;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "sh and its two sleeps are counted");
        Jrunsc.Result r = j.cmd("events", "--stats", "c1");
        assertEquals(0, r.status(), r.err());
        assertEquals(1, r.out().strip().split("\n").length, "--stats prints one event: " + r.out());
        JsonNode e = JSON.readTree(r.out());
        assertEquals("stats", e.get("type").asText());
        assertEquals("c1", e.get("id").asText());
        JsonNode d = e.get("data");
        assertEquals(20, d.get("pids").get("limit").asInt());
        assertEquals(3, d.get("pids").get("current").asInt());
        assertEquals(268435456L, d.get("memory").get("usage").get("limit").asLong());
        long used = d.get("memory").get("usage").get("usage").asLong();
        assertTrue(used > 0 && used < 268435456L && used % 4096 == 0, "pages of the memory file: " + used);
        assertTrue(d.get("cpu").get("usage").get("total").asLong() > 0, d.toString());

        // Without --stats, an event every interval until the container ends.
        Path stream = dir.resolve("events");
        Process p = new ProcessBuilder(Jrunsc.bin().toString(), "--root", j.root.toString(), "events",
                "--interval", "200ms", "c1").redirectOutput(stream.toFile()).redirectInput(new File("/dev/null"))
                .redirectError(dir.resolve("events.err").toFile()).start();
        awaitTrue(() -> lines(stream) >= 3, "events keep coming");
        assertEquals(0, j.cmd("kill", "c1", "KILL").status());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "events ends with the container");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("events.err")));
        for (String line : Files.readAllLines(stream)) {
            assertEquals("c1", JSON.readTree(line).get("id").asText());
        }
        assertEquals(137, Jrunsc.reap(pid));

        assertEquals("container c1 is not running", failure(j.cmd("events", "--stats", "c1")));
        assertEquals("invalid --interval '5 seconds': a duration such as 5s, 500ms or 1m30s",
                failure(j.cmd("events", "--interval", "5 seconds", "c1")));
        assertEquals(0, j.cmd("delete", "c1").status());
    }

    @Test
    void updateChangesThePidsAndMemoryLimitsLive() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/busybox", "sleep", "100");
        resources(bundle, "{\"pids\": {\"limit\": 100}}");
        long pid = createAndStart(j, bundle, "c1", dir.resolve("out"));
        Jrunsc.Result r = withStdin(j, "{\"pids\": {\"limit\": 2}, \"cpu\": {\"shares\": 2}, "
                + "\"blockIO\": {\"weight\": 10}}", "update", "--resources", "-", "c1");
        assertEquals(0, r.status(), r.err());
        assertEquals(2, stats(j, "c1").get("pids").get("limit").asInt());
        assertEquals(0, j.cmd("update", "--pids-limit", "50", "--memory", "128m", "c1").status());
        JsonNode s = stats(j, "c1");
        assertEquals(50, s.get("pids").get("limit").asInt());
        assertEquals(128L << 20, s.get("memory").get("usage").get("limit").asLong());
        assertEquals(0, j.cmd("update", "--memory", "-1", "c1").status());
        assertTrue(stats(j, "c1").get("memory").get("usage").get("limit").asLong() > 128L << 20,
                "-1 lifts the limit (to the host's RAM)");

        assertEquals("resources (stdin): pids.limit: expected a number (line 1, column 20)",
                failure(withStdin(j, "{\"pids\": {\"limit\": \"many\"}}", "update", "-r", "-", "c1")));
        assertTrue(failure(withStdin(j, "{oops", "update", "-r", "-", "c1"))
                .startsWith("resources (stdin): invalid JSON: "));
        assertEquals("resources (stdin): memory.limit: -5 is neither a byte count nor -1",
                failure(withStdin(j, "{\"memory\": {\"limit\": -5}}", "update", "-r", "-", "c1")));
        assertEquals("invalid --memory 'lots': a size such as 1048576, 512k, 64m or 1g",
                failure(j.cmd("update", "--memory", "lots", "c1")));
        String low = failure(j.cmd("update", "--memory", "4k", "c1"));
        assertTrue(low.startsWith("memory limit 4096 is below the memory in use ("), low);
        int errors = 0;
        for (String line : Files.readAllLines(j.log)) {
            assertEquals("error", JSON.readTree(line).get("level").asText());
            errors++;
        }
        assertEquals(5, errors, "each failure is one JSON line in --log");

        assertEquals(0, j.cmd("kill", "c1", "KILL").status());
        assertEquals(137, Jrunsc.reap(pid));
        assertEquals("container c1 is not running", failure(j.cmd("update", "--pids-limit", "5", "c1")));
        assertEquals(0, j.cmd("delete", "c1").status());
    }

    @Test
    void theSentryEnforcesAnUpdatedPidsLimit() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        // Polls until SIGUSR1, then starts five sleeps in the background; ash exits (2) when a fork fails.
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/sh", "-c",
                "trap 'go=1' USR1; echo ready; while [ -z \"$go\" ]; do sleep 0.05; done; "
                        + "for k in 1 2 3 4 5; do sleep 100 & done; echo spawned; wait");
        resources(bundle, "{\"pids\": {\"limit\": 100}}");
        Path limited = dir.resolve("limited");
        Path free = dir.resolve("free");
        long one = createAndStart(j, bundle, "c1", limited);
        long two = createAndStart(j, bundle, "c2", free);
        awaitTrue(() -> lines(limited) >= 1 && lines(free) >= 1, "ready");
        assertEquals(0, j.cmd("update", "--pids-limit", "3", "c1").status());
        assertEquals(0, j.cmd("kill", "c1", "USR1").status());
        assertEquals(0, j.cmd("kill", "c2", "USR1").status());

        assertEquals(2, Jrunsc.reap(one), "sh and two sleeps fit in 3 tasks; the third fork fails with EAGAIN");
        assertEquals("ready\n", contents(limited));
        assertTrue(contents(dir.resolve("limited.err")).contains("fork"), contents(dir.resolve("limited.err")));

        awaitTrue(() -> contents(free).contains("spawned"), "without the update all five start");
        assertEquals(6, stats(j, "c2").get("pids").get("current").asInt());
        assertEquals(0, j.cmd("kill", "--all", "c2", "KILL").status());
        assertEquals(137, Jrunsc.reap(two));
        for (String id : List.of("c1", "c2")) {
            assertEquals(0, j.cmd("delete", id).status());
        }
    }

    @Test
    void runRegistersItsContainerWhileItRuns() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/sh", "-c",
                "sleep 100 & sleep 100 & echo started; wait");
        Path out = dir.resolve("out");
        Process run = new ProcessBuilder(Jrunsc.bin().toString(), "--root", j.root.toString(), "run", "--bundle",
                bundle.toString(), "r1").redirectOutput(out.toFile()).redirectError(dir.resolve("err").toFile())
                .redirectInput(new File("/dev/null")).start();
        awaitTrue(() -> contents(out).contains("started"), "the container runs");
        JsonNode s = state(j, "r1");
        assertEquals("running", s.get("status").asText());
        assertEquals(run.pid(), s.get("pid").asLong(), "run's own process is the sandbox");
        assertEquals("r1", j.cmd("list", "-q").out().strip());
        assertEquals("container with id r1 already exists",
                failure(j.cmd("run", "--bundle", bundle.toString(), "r1")), "the id is taken while it runs");
        assertEquals(0, j.cmd("pause", "r1").status());
        assertEquals("paused", state(j, "r1").get("status").asText());
        assertEquals(0, j.cmd("resume", "r1").status());
        assertEquals(3, stats(j, "r1").get("pids").get("current").asInt());
        assertEquals(0, j.cmd("kill", "--all", "r1", "TERM").status());
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, run.exitValue());
        assertFalse(Files.exists(j.root.resolve("r1")), "the container is gone with its run");
        assertEquals("", j.cmd("list", "-q").out());
        assertEquals("", Files.readString(dir.resolve("err")));

        // --detach: create then start; the container stays until deleted.
        Jrunsc.Result d = j.cmd("run", "--detach", "--bundle", bundle.toString(), "--pid-file",
                dir.resolve("d.pid").toString(), "d1");
        assertEquals(0, d.status(), d.err());
        long pid = Long.parseLong(Files.readString(dir.resolve("d.pid")));
        assertEquals("running", state(j, "d1").get("status").asText());
        assertEquals(0, j.cmd("kill", "--all", "d1", "KILL").status());
        assertEquals(137, Jrunsc.reap(pid));
        assertEquals("stopped", state(j, "d1").get("status").asText());
        assertEquals(0, j.cmd("delete", "d1").status());
    }

    // ---- helpers ----

    private static void resources(Path bundle, String json) throws IOException {
        Path config = bundle.resolve("config.json");
        ObjectNode c = (ObjectNode) JSON.readTree(config.toFile());
        c.putObject("linux").set("resources", JSON.readTree(json));
        Files.writeString(config, JSON.writeValueAsString(c));
    }

    private static JsonNode state(Jrunsc j, String id) throws IOException {
        Jrunsc.Result r = j.cmd("state", id);
        assertEquals(0, r.status(), r.err());
        return JSON.readTree(r.out());
    }

    private static JsonNode stats(Jrunsc j, String id) throws IOException {
        Jrunsc.Result r = j.cmd("events", "--stats", id);
        assertEquals(0, r.status(), r.err());
        return JSON.readTree(r.out()).get("data");
    }

    private static long create(Jrunsc j, Path bundle, String id, Path out) throws IOException {
        Path pidFile = bundle.resolveSibling(id + ".pid");
        Jrunsc.Result r = j.cmdWithStdio(null, out, "create", "--bundle", bundle.toString(), "--pid-file",
                pidFile.toString(), id);
        assertEquals(0, r.status(), r.err());
        return Long.parseLong(Files.readString(pidFile));
    }

    private static long createAndStart(Jrunsc j, Path bundle, String id, Path out) throws IOException {
        long pid = create(j, bundle, id, out);
        Jrunsc.Result r = j.cmd("start", id);
        assertEquals(0, r.status(), r.err());
        return pid;
    }

    private static int lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f).size() : 0;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String contents(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitTrue(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A failed command: status 1, nothing on stdout, one line "jrunsc: MSG" on stderr; returns MSG. */
    private static String failure(Jrunsc.Result r) {
        assertEquals(1, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("jrunsc: "), r.err());
        return r.err().strip().substring("jrunsc: ".length());
    }

    /** Runs a command with {@code stdin} as its standard input. */
    private Jrunsc.Result withStdin(Jrunsc j, String stdin, String... args) throws IOException {
        Path in = Files.createTempFile(dir, "stdin", "");
        Files.writeString(in, stdin);
        return j.cmdWithStdio(in, null, args);
    }
}
