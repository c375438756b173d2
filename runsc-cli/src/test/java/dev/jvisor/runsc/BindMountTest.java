package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.sentry.boot.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bind mounts from config.json, through bin/jrunsc: the gofer serves each source, the sentry mounts it at its
 * destination, writes in a rw bind reach the host and a ro bind refuses them, as runc's containers see them.
 */
class BindMountTest {
    @TempDir
    Path dir;
    Path rw;
    Path ro;
    Path hosts;

    @BeforeEach
    void hostFiles() throws IOException {
        rw = Files.createDirectories(dir.resolve("host/rw"));
        ro = Files.createDirectories(dir.resolve("host/ro"));
        Files.writeString(ro.resolve("f"), "read-only content\n");
        hosts = Files.writeString(dir.resolve("host/hosts"), "127.0.0.1 localhost\n");
    }

    /** A bundle running {@code sh -c script} with {@code mounts} (a JSON array body) and root.readonly. */
    private Path bundle(String script, String mounts, boolean rootReadonly) throws IOException {
        Path b = Jrunsc.bundle(dir.resolve("b"), "/bin/sh", "-c", script);
        Files.createDirectories(b.resolve("rootfs/etc"));
        Files.writeString(b.resolve("rootfs/etc/marker"), "inside the sandbox\n");
        String config = Files.readString(b.resolve("config.json"));
        config = config.replace("\"root\": {\"path\": \"rootfs\"}", "\"root\": {\"path\": \"rootfs\", \"readonly\": "
                + rootReadonly + "}, \"mounts\": [" + mounts + "]");
        Files.writeString(b.resolve("config.json"), config);
        return b;
    }

    private String binds() {
        return """
                {"destination": "/data", "type": "bind", "source": "%s", "options": ["rbind", "rw"]},
                {"destination": "/ro", "type": "none", "source": "%s", "options": ["bind", "ro"]},
                {"destination": "/etc/hosts", "type": "bind", "source": "%s", "options": ["rbind", "rw"]}
                """.formatted(rw, ro, hosts);
    }

    @Test
    void rwBindWritesReachTheHostAndRoBindIsErofs() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path b = bundle("""
                echo hi > /data/new && mkdir /data/d && mv /data/new /data/d/moved && mkdir /data/gone && \
                rmdir /data/gone && echo x > /data/del && rm /data/del && ln -s d/moved /data/sl && \
                chmod 600 /data/d/moved && cat /ro/f && cat /etc/hosts && echo '10.0.0.2 db' >> /etc/hosts; \
                echo x > /ro/new; echo "ro write: $?"; rm /ro/f; echo "ro rm: $?"; grep -c ' /ro ' /proc/mounts""",
                binds(), false);
        Jrunsc.Result r = j.cmd("run", "--bundle", b.toString(), "b1");
        assertEquals(0, r.status(), r.err());
        assertEquals("read-only content\n127.0.0.1 localhost\nro write: 1\nro rm: 1\n1\n", r.out());
        assertTrue(r.err().contains("/ro/new: Read-only file system"), r.err());
        assertTrue(r.err().contains("Read-only file system"), r.err());
        assertEquals("hi\n", Files.readString(rw.resolve("d/moved")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(rw.resolve("d/moved"))));
        assertEquals("d/moved", Files.readSymbolicLink(rw.resolve("sl")).toString());
        assertFalse(Files.exists(rw.resolve("new")));
        assertFalse(Files.exists(rw.resolve("gone")));
        assertFalse(Files.exists(rw.resolve("del")));
        assertEquals("read-only content\n", Files.readString(ro.resolve("f")), "the ro bind's file is intact");
        assertFalse(Files.exists(ro.resolve("new")));
        assertEquals("127.0.0.1 localhost\n10.0.0.2 db\n", Files.readString(hosts), "a file bind is written through");
    }

    @Test
    void linksInABindResolveInsideTheSandbox() throws Exception {
        Files.createSymbolicLink(rw.resolve("toroot"), Path.of("/"));
        Files.createSymbolicLink(rw.resolve("up"), Path.of("../.."));
        Files.createSymbolicLink(rw.resolve("marker"), Path.of("/etc/marker"));
        new ProcessBuilder("mkfifo", rw.resolve("fifo").toString()).start().waitFor();
        Jrunsc j = new Jrunsc(dir);
        // The host has no /etc/marker: reading one proves the walk stayed in the sandbox's tree.
        Path b = bundle("cat /data/toroot/etc/marker; cat /data/marker; ls /data/up/etc; cat /data/up/etc/marker; "
                + "cat /data/fifo; echo \"fifo: $?\"", binds(), false);
        Jrunsc.Result r = j.cmd("run", "--bundle", b.toString(), "b2");
        assertEquals(0, r.status(), r.err());
        assertEquals("inside the sandbox\ninside the sandbox\nhosts\nmarker\ninside the sandbox\nfifo: 1\n", r.out());
        // The gofer never opens a FIFO (it would block); the sentry answers ENXIO for it.
        assertTrue(r.err().contains("/data/fifo': No such device or address"), r.err());
    }

    @Test
    void aReadonlyRootIsErofsWhileARwBindStaysWritable() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path b = bundle("echo x > /x; echo \"root: $?\"; mkdir /newdir; echo \"mkdir: $?\"; echo y > /data/y; "
                + "echo \"bind: $?\"", binds(), true);
        // No overlay: the root is the gofer's read-only tree, so the mountpoints must exist in the rootfs.
        Files.createDirectories(b.resolve("rootfs/data"));
        Files.createDirectories(b.resolve("rootfs/ro"));
        Files.writeString(b.resolve("rootfs/etc/hosts"), "");
        Jrunsc.Result r = j.cmd("--overlay2=none", "run", "--bundle", b.toString(), "b3");
        assertEquals(0, r.status(), r.err());
        assertEquals("root: 1\nmkdir: 1\nbind: 0\n", r.out());
        assertTrue(r.err().contains("Read-only file system"), r.err());
        assertEquals("y\n", Files.readString(rw.resolve("y")));
    }

    @Test
    void noexecBindRefusesExecve() throws Exception {
        Files.copy(Path.of("/bin/busybox"), rw.resolve("busybox"));
        Jrunsc j = new Jrunsc(dir);
        Path b = bundle("/data/busybox true; echo \"noexec: $?\"; /bin/busybox true; echo \"root: $?\"",
                """
                {"destination": "/data", "type": "bind", "source": "%s", "options": ["rbind", "noexec", "nosuid"]}
                """.formatted(rw), false);
        Jrunsc.Result r = j.cmd("run", "--bundle", b.toString(), "b4");
        assertEquals(0, r.status(), r.err());
        assertEquals("noexec: 126\nroot: 0\n", r.out());
    }

    @Test
    void aMissingBindSourceIsOneLineAJsonLogLineAndNoState() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path missing = dir.resolve("host/nope");
        Path b = bundle("true", """
                {"destination": "/data", "type": "bind", "source": "%s", "options": ["rbind"]}
                """.formatted(missing), false);
        String expected = "bind mount source " + missing + " (at /data): no such file or directory";
        for (String cmd : List.of("run", "create")) {
            Jrunsc.Result r = j.cmd(cmd, "--bundle", b.toString(), "m-" + cmd);
            assertEquals(1, r.status(), cmd);
            assertEquals("jrunsc: " + expected, r.err().strip(), cmd);
            assertEquals("", r.out());
            assertFalse(Files.exists(j.root.resolve("m-" + cmd)), cmd + " leaves no state behind");
        }
        List<String> lines = Files.readAllLines(j.log);
        assertEquals(2, lines.size(), lines.toString());
        for (String line : lines) {
            JsonNode e = new ObjectMapper().readTree(line);
            assertEquals("error", e.get("level").asText());
            assertEquals(expected, e.get("msg").asText());
        }
        Jrunsc.Result list = j.cmd("list", "-q");
        assertEquals("", list.out().strip(), "no container was registered");
    }

    @Test
    void configBindsBecomeSpecMounts() throws IOException {
        Path b = dir.resolve("spec");
        Files.createDirectories(b.resolve("rootfs"));
        Files.createDirectories(b.resolve("src"));
        Files.writeString(b.resolve("config.json"), """
                {"ociVersion": "1.0.2",
                 "process": {"args": ["/bin/true"], "cwd": "/"},
                 "root": {"path": "rootfs"},
                 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                            {"destination": "/a", "type": "bind", "source": "src", "options": ["ro", "nodev"]},
                            {"destination": "/b/", "type": "none", "source": "%s", "options": ["rbind", "ro", "rw"]},
                            {"destination": "/proc/x", "type": "bind", "source": "%s", "options": ["bind"]},
                            {"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["noexec"]}]}
                """.formatted(hosts, hosts));
        Cli.Result r = Cli.run(0, "run", "--bundle", b.toString(), "s1");
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of(
                new SandboxSpec.Mount("bind", "/a", b.resolve("src").toString(), true, false, true, false),
                new SandboxSpec.Mount("bind", "/b", hosts.toString(), false, false, false, false),
                new SandboxSpec.Mount("tmpfs", "/t", null, false, false, false, true)), r.spec().mounts());
    }

    @Test
    void filesRemovedInABindReleaseTheirGoferDescriptors() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        // 400 files made, renamed and removed; the gofer must not keep a descriptor per removed or renamed file.
        Path b = bundle("i=0; while [ $i -lt 400 ]; do echo $i > /data/f$i; mv /data/f$i /data/g$i; "
                + "mkdir /data/d$i; rm /data/g$i; "
                + "rmdir /data/d$i; i=$((i+1)); done; echo done > /data/flag; sleep 100", """
                {"destination": "/data", "type": "bind", "source": "%s", "options": ["rbind"]}
                """.formatted(rw), false);
        Path pidFile = dir.resolve("leak.pid");
        assertEquals(0, j.cmd("create", "--bundle", b.toString(), "--pid-file", pidFile.toString(), "leak")
                .status());
        long pid = Long.parseLong(Files.readString(pidFile));
        try {
            assertEquals(0, j.cmd("start", "leak").status());
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (!Files.exists(rw.resolve("flag")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(rw.resolve("flag")), "the workload finished its loop");
            ProcessHandle gofer = ProcessHandle.of(pid).orElseThrow().children()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains("dev.jvisor.gofer.GoferMain"))
                            .orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("no gofer child of " + pid));
            long fds;
            try (var s = Files.list(Path.of("/proc", Long.toString(gofer.pid()), "fd"))) {
                fds = s.count();
            }
            assertTrue(fds < 100, "the gofer holds " + fds + " descriptors after 800 removals");
            assertEquals(List.of("flag"), Files.list(rw).map(p -> p.getFileName().toString()).toList());
        } finally {
            j.cmd("kill", "leak", "KILL");
            Jrunsc.reap(pid);
            j.cmd("delete", "leak");
        }
    }
}
