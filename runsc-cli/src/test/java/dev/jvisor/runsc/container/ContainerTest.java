package dev.jvisor.runsc.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container's state directory: ids, state.json, the lock and the status a dead sandbox gets. */
class ContainerTest {
    @TempDir
    Path root;

    private static final long SELF = ProcessHandle.current().pid();

    private static ContainerState state(String id, long pid, long startTime, Status s) {
        return new ContainerState(ContainerState.OCI_VERSION, id, pid, s, "/b", "/b/rootfs",
                "2026-11-28T10:59:30.647504132Z", "", Map.of("k", "v"), "ptrace", startTime, 0);
    }

    @Test
    void idsAreCheckedAsRuncChecksThem() {
        for (String ok : List.of("a", "c-1", "a_b+c.d", "ABC123")) {
            assertEquals(ok, Container.checkId(ok));
        }
        for (String bad : List.of("", ".", "..", "a/b", "a b", "../x", "é")) {
            assertThrows(ContainerException.class, () -> Container.checkId(bad), bad);
        }
    }

    @Test
    void stateJsonHasTheOciFieldsInRuncsOrder() throws Exception {
        try (Container c = Container.create(root, "c1")) {
            c.save(state("c1", SELF, HostProcess.startTime(SELF), Status.CREATED));
        }
        JsonNode j = new ObjectMapper().readTree(root.resolve("c1/state.json").toFile());
        List<String> names = new ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner",
                "annotations", "platform", "sandboxStartTime", "goferPid"), names);
        assertEquals("created", j.get("status").asText());
        assertEquals(SELF, j.get("pid").asLong());
        assertEquals("v", j.get("annotations").get("k").asText());
        assertFalse(Files.exists(root.resolve("c1/.state.json.tmp")), "the temporary file was renamed");
        assertEquals("rwx--x--x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("c1"))), "other users cannot list it, as with runc");
    }

    @Test
    void aLiveSandboxKeepsItsStatus() {
        try (Container c = Container.create(root, "c1")) {
            c.save(state("c1", SELF, HostProcess.startTime(SELF), Status.RUNNING));
        }
        ContainerState s = Container.read(root, "c1");
        assertEquals(Status.RUNNING, s.status());
        assertEquals(SELF, s.pid());
    }

    @Test
    void aSandboxThatIsGoneIsStopped() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        p.waitFor();
        try (Container c = Container.create(root, "c1")) {
            c.save(state("c1", pid, 1, Status.RUNNING));
        }
        ContainerState s = Container.read(root, "c1");
        assertEquals(Status.STOPPED, s.status());
        assertEquals(0, s.pid(), "runc shows no pid for a stopped container");
    }

    @Test
    void aReusedPidIsNotOurSandbox() {
        try (Container c = Container.create(root, "c1")) {
            // This JVM is alive, but it did not start at tick 1.
            c.save(state("c1", SELF, 1, Status.CREATED));
        }
        assertEquals(Status.STOPPED, Container.read(root, "c1").status());
    }

    @Test
    void anExitFileMeansStopped() throws Exception {
        try (Container c = Container.create(root, "c1")) {
            c.save(state("c1", SELF, HostProcess.startTime(SELF), Status.RUNNING));
            Files.writeString(c.dir().resolve(Container.EXIT), "137");
            assertEquals(137, c.exitStatus());
        }
        assertEquals(Status.STOPPED, Container.read(root, "c1").status());
    }

    @Test
    void duplicateAndUnknownIds() {
        try (Container c = Container.create(root, "c1")) {
            c.save(state("c1", SELF, 1, Status.CREATED));
        }
        assertEquals("container with id c1 already exists",
                assertThrows(ContainerException.class, () -> Container.create(root, "c1")).getMessage());
        assertEquals("container nope does not exist",
                assertThrows(ContainerException.class, () -> Container.open(root, "nope")).getMessage());
        assertEquals("container nope does not exist",
                assertThrows(ContainerException.class, () -> Container.read(root, "nope")).getMessage());
    }

    @Test
    void aHalfCreatedContainerIsNotOpenedNorListed() {
        try (Container c = Container.create(root, "c1")) {
            assertThrows(ContainerException.class, () -> Container.read(root, "c1"));
            assertTrue(Container.list(root).isEmpty());
        }
    }

    @Test
    void theControlSocketMovesWhenItsPathIsTooLongForSockaddrUn() {
        Path shortDir = Path.of("/run/containerd/runc/default/c1");
        assertEquals(shortDir.resolve("control.sock"), Container.controlSocket(shortDir));
        // Docker's ids are 64 hex digits: under its state root the path exceeds 107 bytes.
        Path longDir = Path.of("/tmp/docker/exec/runtime-runc/moby", "ab".repeat(32));
        Path s = Container.controlSocket(longDir);
        assertTrue(s.toString().length() <= 107, s.toString());
        assertTrue(s.getFileName().toString().endsWith(".sock"), s.toString());
        assertEquals(s, Container.controlSocket(longDir), "every command finds the same socket");
        assertFalse(s.equals(Container.controlSocket(longDir.resolveSibling("cd".repeat(32)))));
    }

    @Test
    void anIncompleteContainerCanStillBeLockedAndRemoved() {
        Container.create(root, "c1").close(); // a create that died before writing state.json
        try (Container c = Container.openIncomplete(root, "c1")) {
            assertFalse(c.hasState());
            c.remove();
        }
        assertFalse(Files.exists(root.resolve("c1")));
        assertThrows(ContainerException.class, () -> Container.openIncomplete(root, "c1"));
    }

    @Test
    void removeDeletesTheDirectory() {
        try (Container c = Container.create(root, "c1")) {
            c.save(state("c1", SELF, 1, Status.STOPPED));
            c.remove();
        }
        assertFalse(Files.exists(root.resolve("c1")));
        assertThrows(ContainerException.class, () -> Container.open(root, "c1"));
    }

    @Test
    void listReturnsEveryContainerById() {
        for (String id : List.of("b", "a", "c")) {
            try (Container c = Container.create(root, id)) {
                c.save(state(id, SELF, 1, Status.STOPPED));
            }
        }
        assertEquals(List.of("a", "b", "c"), Container.list(root).stream().map(ContainerState::id).toList());
        assertTrue(Container.list(root.resolve("missing")).isEmpty());
    }

    /**
     * The lock serializes commands on one id across processes; within one JVM the record lock would be shared,
     * so this checks the other half: 20 containers created at once each get their directory and state.
     */
    @Test
    void twentyContainersCreatedAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger failures = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "p" + i;
            fs.add(pool.submit(() -> {
                go.await();
                try (Container c = Container.create(root.resolve("fresh"), id)) {
                    c.save(state(id, SELF, 1, Status.CREATED));
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, failures.get());
        assertEquals(20, Container.list(root.resolve("fresh")).size());
    }
}
