package dev.jvisor.sentry.fs.gofer;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertErrno;
import static dev.jvisor.sentry.vfs.VfsAssertions.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.TestTasks;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gofer-served tree mounted alone: read-only, lazily walked, files read by pread on donated host fds. */
class GoferFilesystemTest {
    @TempDir
    Path dir;
    private DirectoryGoferClient client;
    private VirtualFilesystem vfs;
    private Task t;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/hostname"), "sandbox\n");
        Files.createSymbolicLink(dir.resolve("etc/link"), Path.of("hostname"));
        Files.createSymbolicLink(dir.resolve("escape"), Path.of("../../../../../../../etc"));
        client = new DirectoryGoferClient(dir);
        vfs = new VirtualFilesystem(new GoferFilesystem(client), "rootfs", true);
        t = TestTasks.root(vfs);
    }

    @Test
    void readsHostFilesThroughTheDonatedFd() {
        assertEquals("sandbox\n", readAll(t, "/etc/hostname"));
        assertEquals("sandbox\n", readAll(t, "/etc/link"));
        FileDescription f = vfs.open(t, Fcntl.AT_FDCWD, "/etc/hostname", Fcntl.O_RDONLY, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4);
            assertEquals(4, f.pread(buf, 3));
            assertEquals("dbox", new String(buf.toArray(ValueLayout.JAVA_BYTE)));
            assertEquals(8, f.size());
        }
        f.decRef();
    }

    @Test
    void symlinksAreResolvedByTheSentryInsideTheRoot() {
        // "../../../../etc" climbs to the sandbox root, not the host's: /escape is /etc of the served tree.
        assertEquals("sandbox\n", readAll(t, "/escape/hostname"));
    }

    @Test
    void statShowsTheHostAttributesUnderOneDevice() throws IOException {
        Map<String, Object> host = Files.readAttributes(dir.resolve("etc/hostname"), "unix:*");
        Kstat st = new Kstat();
        VirtualFilesystem.stat(vfs.resolve(t, t.fs().root(), "/etc/hostname", true), st);
        assertEquals(((Number) host.get("ino")).longValue(), st.ino);
        assertEquals((int) host.get("mode"), st.mode);
        assertEquals(8, st.size);
        assertEquals(vfs.root().mount().filesystem().devMinor(), st.devMinor);
    }

    @Test
    void writesAreRefusedWithErofs() {
        assertErrno(Errno.EROFS, () -> vfs.open(t, Fcntl.AT_FDCWD, "/etc/hostname", Fcntl.O_WRONLY, 0));
        assertErrno(Errno.EROFS, () -> vfs.open(t, Fcntl.AT_FDCWD, "/etc/new", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644));
        assertErrno(Errno.EROFS, () -> vfs.mkdir(t, t.fs().root(), "/newdir", 0755));
    }

    @Test
    void walksAreCachedAndHostFdsClosedWithTheLastReference() throws IOException {
        readAll(t, "/etc/hostname");
        int walks = client.walks.get();
        readAll(t, "/etc/hostname");
        assertEquals(walks, client.walks.get(), "a second lookup must come from the dentry cache");
        long before = Files.list(Path.of("/proc/self/fd")).count();
        for (int i = 0; i < 50; i++) {
            readAll(t, "/etc/hostname");
        }
        long after = Files.list(Path.of("/proc/self/fd")).count();
        assertTrue(after - before < 5, "host fds leaked: " + before + " -> " + after);
    }

    @Test
    void absentNamesAreRememberedSinceTheTreeDoesNotChange() {
        assertErrno(Errno.ENOENT, () -> vfs.resolve(t, t.fs().root(), "/etc/nope", true));
        int walks = client.walks.get();
        for (int i = 0; i < 10; i++) {
            assertErrno(Errno.ENOENT, () -> vfs.resolve(t, t.fs().root(), "/etc/nope", true));
        }
        assertEquals(walks, client.walks.get());
    }

    @Test
    void listsDirectoriesThroughTheClient() {
        FileDescription d = vfs.open(t, Fcntl.AT_FDCWD, "/etc", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        assertTrue(FileMode.isDir(d.inode().mode()));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long n = d.getdents(buf);
            String raw = new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            assertTrue(raw.contains("hostname") && raw.contains("link"), raw);
        }
        d.decRef();
    }
}
