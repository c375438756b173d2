package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.sentry.boot.SandboxException;
import dev.jvisor.sentry.boot.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jrunsc run}: a bundle's config.json becomes a SandboxSpec; a bad bundle is one line and no sandbox. */
class RunCommandTest {
    @TempDir
    Path bundle;

    private static final String GOOD = """
            {"ociVersion": "1.0.2",
             "process": {"terminal": false, "user": {"uid": 1000, "gid": 100, "additionalGids": [10, 20]},
                         "args": ["/bin/echo", "hello", "world"], "env": ["PATH=/bin", "HOME=/root"],
                         "cwd": "/tmp"},
             "root": {"path": "rootfs", "readonly": true},
             "hostname": "box"}
            """;

    private void write(String config) throws IOException {
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), config);
    }

    private Cli.Result run(String... extra) {
        String[] args = new String[extra.length + 4];
        System.arraycopy(extra, 0, args, 0, extra.length);
        args[extra.length] = "run";
        args[extra.length + 1] = "--bundle";
        args[extra.length + 2] = bundle.toString();
        args[extra.length + 3] = "c1";
        return Cli.run(42, args);
    }

    /** A failure: one line on stderr, nothing on stdout, no sandbox. */
    private static String failure(Cli.Result r) {
        assertEquals(BaseCommand.FAILURE, r.status(), r.err());
        assertEquals(1, r.errLines().length, r.err());
        assertEquals("", r.out());
        assertNull(r.spec());
        assertTrue(r.err().startsWith("jrunsc: "), r.err());
        return r.err().strip().substring("jrunsc: ".length());
    }

    @Test
    void configMapsOntoTheSandboxSpec() throws IOException {
        write(GOOD);
        Cli.Result r = run();
        assertEquals(42, r.status(), "the exit status is the workload's");
        SandboxSpec s = r.spec();
        assertEquals(List.of("/bin/echo", "hello", "world"), s.argv());
        assertEquals(List.of("PATH=/bin", "HOME=/root"), s.env());
        assertEquals("/tmp", s.cwd());
        assertEquals(bundle.resolve("rootfs").toString(), s.rootPath());
        assertTrue(s.rootReadonly());
        assertTrue(s.overlay(), "--overlay2 defaults to root:memory");
        assertEquals(1000, s.uid());
        assertEquals(100, s.gid());
        assertArrayEquals(new int[] {10, 20}, s.additionalGids());
        assertEquals("box", s.hostname());
        assertEquals(Platforms.defaultName(), s.platform(), "systrap where the host supports it, else ptrace");
        assertFalse(s.strace());
        assertEquals("dev.jvisor.gofer.GoferMain", s.goferCommand().getLast());
        assertEquals("", r.err());
    }

    @Test
    void defaultsForOptionalFields() throws IOException {
        write("""
                {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}}""");
        SandboxSpec s = run().spec();
        assertEquals(List.of(), s.env());
        assertEquals(0, s.uid());
        assertEquals(0, s.gid());
        assertArrayEquals(new int[0], s.additionalGids());
        assertFalse(s.rootReadonly());
        assertEquals("c1", s.hostname(), "with no hostname, the container ID");
    }

    @Test
    void anAbsoluteRootPathIsUsedAsIs(@TempDir Path elsewhere) throws IOException {
        write(GOOD.replace("\"rootfs\"", "\"" + elsewhere + "\""));
        assertEquals(elsewhere.toString(), run().spec().rootPath());
    }

    @Test
    void aRelativeRootPathIsNormalized() throws IOException {
        write(GOOD.replace("\"rootfs\"", "\"./rootfs/../rootfs\""));
        assertEquals(bundle.resolve("rootfs").toString(), run().spec().rootPath());
    }

    @Test
    void globalFlagsReachTheSpec() throws IOException {
        write(GOOD);
        SandboxSpec s = run("--overlay2", "none", "--strace").spec();
        assertFalse(s.overlay());
        assertTrue(s.strace());
    }

    @Test
    void theContainerdBundleConfigIsAccepted() throws IOException {
        String containerd = new String(getClass().getResourceAsStream("oci/containerd-config.json").readAllBytes());
        write(containerd.replace("/tmp/peers/bundle/rootfs", bundle.resolve("rootfs").toString()));
        SandboxSpec s = run("--systemd-cgroup").spec();
        assertEquals(List.of("/bin/sleep", "1000"), s.argv());
        assertEquals("c1", s.hostname());
    }

    @Test
    void pidFileHoldsThisProcessBeforeTheWorkloadStarts() throws IOException {
        write(GOOD);
        Path pidFile = bundle.resolve("init.pid");
        String[] seen = new String[1];
        Cli.Result r = Cli.run(spec -> {
            try {
                seen[0] = Files.readString(pidFile);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return 0;
        }, SignalForwarder.NONE, "run", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "c1");
        assertEquals(0, r.status(), r.err());
        assertEquals(Long.toString(ProcessHandle.current().pid()), seen[0]);
    }

    @Test
    void missingBundleDirectory() {
        Path gone = bundle.resolve("nope");
        assertEquals("bundle " + gone + ": no such directory", failure(Cli.run("run", "--bundle", gone.toString(), "c1")));
    }

    @Test
    void missingConfigJson() {
        assertEquals(bundle.resolve("config.json") + ": no such file", failure(run()));
    }

    @Test
    void invalidJsonNamesTheFileAndPosition() throws IOException {
        write("{\n  \"process\": {\n    \"args\": [\"sh\",]\n  }\n}\n");
        String msg = failure(run());
        assertTrue(msg.startsWith(bundle.resolve("config.json") + ": invalid JSON: "), msg);
        assertTrue(msg.endsWith("(line 3, column 19)"), msg);
    }

    @Test
    void emptyArgsNamesTheField() throws IOException {
        write(GOOD.replace("[\"/bin/echo\", \"hello\", \"world\"]", "[]"));
        assertEquals(bundle.resolve("config.json") + ": process.args: must not be empty", failure(run()));
    }

    @Test
    void missingArgsNamesTheField() throws IOException {
        write("""
                {"process": {"cwd": "/"}, "root": {"path": "rootfs"}}""");
        assertTrue(failure(run()).endsWith(": process.args: must not be empty"));
    }

    @Test
    void aWrongTypeNamesTheField() throws IOException {
        write(GOOD.replace("\"uid\": 1000", "\"uid\": \"1000\""));
        String msg = failure(run());
        assertTrue(msg.startsWith(bundle.resolve("config.json") + ": process.user.uid: expected a number (line "),
                msg);
    }

    @Test
    void aMissingRootfsIsNamed() throws IOException {
        write(GOOD.replace("\"rootfs\"", "\"other\""));
        assertEquals("root.path " + bundle.resolve("other") + ": no such directory", failure(run()));
    }

    @Test
    void anInvalidContainerIdIsRejected() throws IOException {
        write(GOOD);
        assertEquals("invalid container id 'a/b'",
                failure(Cli.run("run", "--bundle", bundle.toString(), "a/b")));
    }

    @Test
    void aMissingIdIsAUsageError() {
        Cli.Result r = Cli.run("run", "--bundle", bundle.toString());
        assertEquals(BaseCommand.USAGE, r.status());
        assertEquals(1, r.errLines().length, r.err());
    }

    @Test
    void runcCreateFlagsAreAccepted() throws IOException {
        write(GOOD);
        Cli.Result r = Cli.run("run", "--no-pivot", "--no-new-keyring", "--bundle", bundle.toString(), "c1");
        assertEquals(0, r.status(), r.err());
        assertNotNull(r.spec());
    }

    @Test
    void aSandboxThatCannotStartExitsWithItsStatus() throws IOException {
        write(GOOD);
        Cli.Result r = Cli.run(spec -> {
            throw new SandboxException("/bin/echo: no such file or directory", 127);
        }, SignalForwarder.NONE, "run", "--bundle", bundle.toString(), "c1");
        assertEquals(127, r.status());
        assertEquals("jrunsc: /bin/echo: no such file or directory\n", r.err());
    }

    @Test
    void jsonLogGetsTheErrorLineContainerdReads() throws IOException {
        Path log = bundle.resolve("log.json");
        String msg = failure(Cli.run("--log", log.toString(), "--log-format", "json", "run", "--bundle",
                bundle.resolve("nope").toString(), "c1"));
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size());
        JsonNode line = new ObjectMapper().readTree(lines.getFirst());
        assertEquals("error", line.get("level").asText());
        assertEquals(msg, line.get("msg").asText());
        Instant time = Instant.parse(line.get("time").asText());
        assertTrue(Math.abs(Instant.now().getEpochSecond() - time.getEpochSecond()) < 60);
        assertEquals(3, line.size());
    }

    @Test
    void aUsageErrorAlsoReachesTheJsonLog() throws IOException {
        Path log = bundle.resolve("log.json");
        Cli.Result r = Cli.run("--log", log.toString(), "--log-format", "json", "run", "--bogus", "c1");
        assertEquals(BaseCommand.USAGE, r.status());
        JsonNode line = new ObjectMapper().readTree(Files.readString(log));
        assertEquals(r.err().strip().substring("jrunsc: ".length()), line.get("msg").asText());
    }

    @Test
    void textLogUsesLogrusFormat() throws IOException {
        Path log = bundle.resolve("log.txt");
        Cli.run("--log", log.toString(), "run", "--bundle", bundle.resolve("no\"pe").toString(), "c1");
        String line = Files.readString(log);
        assertTrue(line.matches("time=\"[^\"]+\" level=error msg=\"bundle .*/no\\\\\"pe: no such directory\"\n"), line);
    }
}
