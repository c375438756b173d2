package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.HostProcess;
import dev.jvisor.runsc.container.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkpoint, as containerd's shim may send it: runc's flags are taken, and it fails with one clear line. */
class CheckpointCommandTest {
    @TempDir
    Path root;

    @Test
    void anUnknownContainerIsReportedFirst() {
        Cli.Result r = Cli.run("--root", root.toString(), "checkpoint", "--image-path", root.resolve("img").toString(),
                "nosuch");
        assertEquals(1, r.status());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().contains("nosuch"), r.err());
    }

    @Test
    void aCheckpointFailsClearlyAndLeavesTheContainerAsItWas() throws Exception {
        long self = ProcessHandle.current().pid();
        ContainerState s = new ContainerState(ContainerState.OCI_VERSION, "c1", self, Status.RUNNING, "/b",
                "/b/rootfs", "2026-11-28T10:59:30.647504132Z", "", Map.of(), "ptrace", HostProcess.startTime(self), 0);
        try (Container c = Container.create(root, "c1")) {
            c.save(s);
        }
        byte[] before = Files.readAllBytes(root.resolve("c1/state.json"));
        Path log = root.resolve("log.json");
        Cli.Result r = Cli.run("--root", root.toString(), "--log", log.toString(), "--log-format", "json",
                "checkpoint", "--image-path", root.resolve("img").toString(), "--work-path", root.toString(),
                "--leave-running", "--tcp-established", "c1");
        assertEquals(1, r.status());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().contains("checkpoint is not supported"), r.err());
        assertTrue(Files.readString(log).contains("\"level\":\"error\""), "containerd shows the JSON error line");
        assertEquals(new String(before), new String(Files.readAllBytes(root.resolve("c1/state.json"))));
        assertTrue(Files.notExists(root.resolve("img")), "no image directory is made");
    }
}
