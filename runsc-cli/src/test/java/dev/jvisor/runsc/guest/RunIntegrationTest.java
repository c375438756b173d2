package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jrunsc run --bundle} on a real OCI bundle whose rootfs holds a static busybox. */
class RunIntegrationTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void sandboxAvailable() {
        Assumptions.assumeFalse(Sandbox.NATIVE_ONLY, "native-only run");
    }

    /** A bundle: rootfs with /bin/busybox and /bin/sh, and a config.json made by `jrunsc spec`, edited. */
    private static Path bundle(String name, List<String> args, boolean readonly) throws Exception {
        Path b = dir.resolve(name);
        Path bin = b.resolve("rootfs/bin");
        Files.createDirectories(bin);
        Files.createDirectories(b.resolve("rootfs/tmp"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        Outcome spec = Sandbox.jrunsc(b, List.of("spec"));
        assertEquals(0, spec.status(), spec.stderr());
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(b.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        process.set("args", json.valueToTree(args));
        ((ObjectNode) config.get("root")).put("readonly", readonly);
        json.writeValue(b.resolve("config.json").toFile(), config);
        return b;
    }

    private static Outcome run(Path bundle, String id, String... globalFlags) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(globalFlags));
        cmd.addAll(List.of("--root", dir.resolve("state").toString(), "run", "--bundle", bundle.toString(), id));
        return Sandbox.jrunsc(dir, cmd);
    }

    @Test
    void theWorkloadsOutputAndExitStatusComeBack() throws Exception {
        Path b = bundle("exit7", List.of("/bin/sh", "-c", "echo $((6*7)); echo err >&2; exit 7"), false);
        Outcome o = run(b, "exit7");
        assertEquals("42\n", o.stdout());
        assertEquals("err\n", o.stderr());
        assertEquals(7, o.status());
    }

    @Test
    void writesGoToTheMemoryOverlayAndNeverReachTheBundle() throws Exception {
        Path b = bundle("overlay", List.of("/bin/busybox", "sh", "-c",
                "echo 'echo got data' > /tmp/new; . /tmp/new"), true);
        Outcome o = run(b, "overlay");
        assertEquals(0, o.status(), o.stderr());
        assertEquals("got data\n", o.stdout());
        assertFalse(Files.exists(b.resolve("rootfs/tmp/new")), "the write reached the host");
    }

    @Test
    void aReadonlyRootWithoutOverlayRefusesWrites() throws Exception {
        Path b = bundle("readonly", List.of("/bin/busybox", "sh", "-c", "echo data > /tmp/new"), true);
        Outcome o = run(b, "readonly", "--overlay2=none");
        assertTrue(o.status() != 0, o.stdout() + o.stderr());
        assertEquals("sh: can't create /tmp/new: Read-only file system\n", o.stderr());
        assertFalse(Files.exists(b.resolve("rootfs/tmp/new")));
    }

    @Test
    void aMissingBundleIsOneLine() throws Exception {
        Outcome o = Sandbox.jrunsc(dir, List.of("--root", dir.resolve("state").toString(), "run", "--bundle",
                dir.resolve("absent").toString(), "x"));
        assertEquals(1, o.stderr().lines().count(), o.stderr());
        assertTrue(o.status() != 0);
    }
}
