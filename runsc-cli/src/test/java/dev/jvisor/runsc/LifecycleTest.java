package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Signals;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI lifecycle as containerd's runc shim drives it: {@code create} leaves a sandbox process whose PID is in
 * the pid file and whose exit status is the init's, {@code start} runs the init, {@code state}, {@code kill},
 * {@code delete} and {@code list} follow it, and every failure is one line on stderr and a JSON error line in
 * --log. Each command runs bin/jrunsc as a subprocess.
 */
class LifecycleTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    private JsonNode state(Jrunsc j, String id) throws IOException {
        Jrunsc.Result r = j.cmd("state", id);
        assertEquals(0, r.status(), r.err());
        return json(r.out());
    }

    @Test
    void createStartStateDelete() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/busybox", "awk",
                "{print \"got \" $0; print \"oops\" > \"/dev/stderr\"; exit 3}");
        Path fifo = dir.resolve("stdin");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // The workload reads its stdin from the fifo: it stays running until the test writes a line.
        CompletableFuture<OutputStream> writer = CompletableFuture.supplyAsync(() -> {
            try {
                return new FileOutputStream(fifo.toFile());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Path stdout = dir.resolve("stdout");
        Path pidFile = dir.resolve("init.pid");
        Jrunsc.Result created = j.cmdWithStdio(fifo, stdout, "create", "--bundle", bundle.toString(), "--pid-file",
                pidFile.toString(), "c1");
        assertEquals(0, created.status(), Files.readString(dir.resolve("stdout.err")));
        long pid = Long.parseLong(Files.readString(pidFile));

        JsonNode s = state(j, "c1");
        assertEquals("created", s.get("status").asText());
        assertEquals(pid, s.get("pid").asLong(), "the pid file names the sandbox process");
        assertEquals("c1", s.get("id").asText());
        assertEquals(bundle.toString(), s.get("bundle").asText());
        assertEquals("lifecycle-test", s.get("annotations").get("io.example/owner").asText());
        assertTrue(s.get("created").asText().endsWith("Z"), s.toString());
        assertEquals("", s.get("owner").asText());
        assertTrue(ProcessHandle.of(pid).isPresent(), "the sandbox process outlives create");
        assertEquals("", Files.readString(stdout), "nothing runs before start");

        assertEquals(0, j.cmd("start", "c1").status());
        assertEquals("running", state(j, "c1").get("status").asText());
        try (OutputStream w = writer.get(10, TimeUnit.SECONDS)) {
            w.write("hi\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(3, Jrunsc.reap(pid), "the sandbox process exits with the init's status");
        assertEquals("got hi\n", Files.readString(stdout), "the workload writes into the stdout create was given");
        assertEquals("oops\n", Files.readString(dir.resolve("stdout.err")), "and into its stderr, alone");

        JsonNode stopped = state(j, "c1");
        assertEquals("stopped", stopped.get("status").asText());
        assertEquals(0, stopped.get("pid").asLong());
        Jrunsc.Result w = j.cmd("wait", "c1");
        assertEquals(3, json(w.out()).get("exitStatus").asInt(), w.out());

        assertEquals(0, j.cmd("delete", "c1").status());
        assertFalse(Files.exists(j.root.resolve("c1")), "delete removes the state directory");
        assertFalse(Files.exists(j.log), "no command failed");
    }

    @Test
    void killWithSignalNamesAndNumbers() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/busybox", "sleep", "100");
        long kill = createAndStart(j, bundle, "k1");
        long term = createAndStart(j, bundle, "k2");
        assertEquals(0, j.cmd("kill", "k1", "KILL").status());
        assertEquals(0, j.cmd("kill", "k2").status(), "SIGTERM by default");
        assertEquals(128 + Signals.SIGKILL, Jrunsc.reap(kill));
        assertEquals(128 + Signals.SIGTERM, Jrunsc.reap(term));
        assertEquals("stopped", state(j, "k1").get("status").asText());

        // A created container can be killed too; it never runs.
        long created = create(j, bundle, "k3");
        assertEquals(0, j.cmd("kill", "k3", "9").status());
        assertEquals(137, Jrunsc.reap(created));
        // A Docker-style id: 64 hex digits, too long for the control socket's path under the state root.
        String k4 = "4b".repeat(32);
        assertFalse(dev.jvisor.runsc.container.Container.controlSocket(j.root.resolve(k4)).startsWith(j.root),
                "the socket lives outside the state root");
        long sigterm = createAndStart(j, bundle, k4);
        assertEquals(0, j.cmd("kill", "--all", k4, "SIGTERM").status());
        assertEquals(143, Jrunsc.reap(sigterm));

        Jrunsc.Result bad = j.cmd("kill", k4, "NOSUCH");
        assertEquals(1, bad.status());
        assertEquals("jrunsc: unknown signal 'NOSUCH'", bad.err().strip());
        Jrunsc.Result stopped = j.cmd("kill", k4, "KILL");
        assertEquals(1, stopped.status());
        for (String id : List.of("k1", "k2", "k3", k4)) {
            assertEquals(0, j.cmd("delete", id).status());
        }
    }

    @Test
    void errorsAreOneLineAndAJsonLogLine() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/busybox", "sleep", "100");
        Path broken = Files.createDirectories(dir.resolve("broken/rootfs")).getParent();
        Files.writeString(broken.resolve("config.json"), "{\"ociVersion\": \"1.0.2\", \"process\": ");
        long pid = createAndStart(j, bundle, "c1");

        List<String> msgs = new ArrayList<>();
        msgs.add(failure(j.cmd("state", "nope")));
        msgs.add(failure(j.cmd("create", "--bundle", bundle.toString(), "c1")));
        msgs.add(failure(j.cmd("start", "c1")));
        msgs.add(failure(j.cmd("delete", "c1")));
        msgs.add(failure(j.cmd("create", "--bundle", dir.resolve("missing").toString(), "c2")));
        msgs.add(failure(j.cmd("create", "--bundle", broken.toString(), "c3")));
        msgs.add(failure(j.cmd("kill", "nope", "9")));
        msgs.add(failure(j.cmd("create", "--bundle", bundle.toString(), "--console-socket", "/tmp/x.sock", "c4")));
        assertEquals(List.of("container nope does not exist", "container with id c1 already exists",
                "cannot start container c1: it is running, not created",
                "cannot delete container c1 that is not stopped: running (use --force)",
                "bundle " + dir.resolve("missing") + ": no such directory"), msgs.subList(0, 5));
        assertTrue(msgs.get(5).startsWith(broken.resolve("config.json") + ": "), msgs.get(5));
        assertEquals("container nope does not exist", msgs.get(6));
        assertEquals("--console-socket needs process.terminal in config.json", msgs.get(7));

        List<String> logged = new ArrayList<>();
        for (String line : Files.readAllLines(j.log)) {
            JsonNode e = json(line);
            assertEquals("error", e.get("level").asText());
            logged.add(e.get("msg").asText());
        }
        assertEquals(msgs, logged, "containerd shows the msg of the last error line");
        assertFalse(Files.exists(j.root.resolve("c2")), "a failed create leaves no state behind");
        assertFalse(Files.exists(j.root.resolve("c3")));

        assertEquals("running", state(j, "c1").get("status").asText(), "the failures left c1 alone");
        assertEquals(0, j.cmd("delete", "--force", "c1").status());
        assertEquals(137, Jrunsc.reap(pid), "delete --force kills the init");
        assertFalse(Files.exists(j.root.resolve("c1")));

        // A create killed before it wrote the state leaves a directory: only delete --force removes it.
        Files.createDirectory(j.root.resolve("half"));
        assertEquals("container half does not exist", failure(j.cmd("delete", "half")));
        assertEquals(0, j.cmd("delete", "--force", "half").status());
        assertFalse(Files.exists(j.root.resolve("half")));
    }

    @Test
    void aWorkloadThatCannotStartFailsCreate() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/nonexistent");
        String msg = failure(j.cmd("create", "--bundle", bundle.toString(), "c1"), 127);
        assertEquals("/bin/nonexistent: no such file or directory", msg);
        assertFalse(Files.exists(j.root.resolve("c1")));
    }

    @Test
    void aSentryKilledWithSigkillIsStoppedAndDeleteCleansUp() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/busybox", "sleep", "100");
        long pid = createAndStart(j, bundle, "c1");
        long gofer = state(j, "c1").get("goferPid").asLong();
        assertEquals(0, Host.kill((int) pid, Signals.SIGKILL));
        assertEquals(137, Jrunsc.reap(pid));
        JsonNode s = state(j, "c1");
        assertEquals("stopped", s.get("status").asText());
        assertEquals(0, j.cmd("delete", "c1").status());
        assertFalse(Files.exists(j.root.resolve("c1")));
        ProcessHandle.of(gofer).ifPresent(h -> {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the gofer outlived its sentry", e);
            }
        });
    }

    @Test
    void twentyContainersCreatedInParallel() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = Jrunsc.bundle(dir.resolve("b"), "/bin/busybox", "sleep", "100");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Long>> pids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "p" + i;
            pids.add(pool.submit(() -> create(j, bundle, id)));
        }
        List<Long> all = new ArrayList<>();
        for (Future<Long> f : pids) {
            all.add(f.get(300, TimeUnit.SECONDS));
        }
        Jrunsc.Result q = j.cmd("list", "-q");
        List<String> ids = List.of(q.out().strip().split("\n"));
        assertEquals(20, ids.size(), q.out());
        JsonNode list = json(j.cmd("list", "--format", "json").out());
        assertEquals(20, list.size());
        for (JsonNode s : list) {
            assertEquals("created", s.get("status").asText(), s.toString());
        }
        String table = j.cmd("list").out();
        assertTrue(table.startsWith("ID "), table);
        assertEquals(21, table.strip().split("\n").length, table);
        List<Future<Jrunsc.Result>> deletes = new ArrayList<>();
        for (String id : ids) {
            deletes.add(pool.submit(() -> j.cmd("delete", id)));
        }
        for (Future<Jrunsc.Result> f : deletes) {
            assertEquals(0, f.get(300, TimeUnit.SECONDS).status());
        }
        pool.shutdown();
        for (long pid : all) {
            assertEquals(137, Jrunsc.reap(pid), "delete kills a created container");
        }
        assertEquals("", j.cmd("list", "-q").out());
    }

    private static long create(Jrunsc j, Path bundle, String id) throws IOException {
        Path pidFile = bundle.resolveSibling(id + ".pid");
        Jrunsc.Result r = j.cmd("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id);
        assertEquals(0, r.status(), r.err());
        return Long.parseLong(Files.readString(pidFile));
    }

    private static long createAndStart(Jrunsc j, Path bundle, String id) throws IOException {
        long pid = create(j, bundle, id);
        Jrunsc.Result r = j.cmd("start", id);
        assertEquals(0, r.status(), r.err());
        return pid;
    }

    private static String failure(Jrunsc.Result r) {
        return failure(r, 1);
    }

    /** A failed command: the status, nothing on stdout, one line "jrunsc: MSG" on stderr; returns MSG. */
    private static String failure(Jrunsc.Result r, int status) {
        assertEquals(status, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("jrunsc: "), r.err());
        assertNotEquals("", r.err().strip().substring(8));
        return r.err().strip().substring("jrunsc: ".length());
    }
}
