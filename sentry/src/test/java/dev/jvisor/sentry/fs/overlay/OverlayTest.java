package dev.jvisor.sentry.fs.overlay;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertErrno;
import static dev.jvisor.sentry.vfs.VfsAssertions.createFile;
import static dev.jvisor.sentry.vfs.VfsAssertions.readAll;
import static dev.jvisor.sentry.vfs.VfsAssertions.readFrom;
import static dev.jvisor.sentry.vfs.VfsAssertions.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.fs.gofer.DirectoryGoferClient;
import dev.jvisor.sentry.fs.gofer.GoferFilesystem;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.TestTasks;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `jrunsc do` root: a tmpfs over a gofer tree. Writes land in memory; the host never changes. */
class OverlayTest {
    @TempDir
    Path dir;
    private VirtualFilesystem vfs;
    private Task t;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("etc/deep/er"));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0\n");
        Files.writeString(dir.resolve("etc/deep/er/file"), "lower\n");
        Files.createSymbolicLink(dir.resolve("etc/link"), Path.of("passwd"));
        GoferFilesystem lower = new GoferFilesystem(new DirectoryGoferClient(dir));
        vfs = new VirtualFilesystem(new OverlayFilesystem(lower, new TmpfsFilesystem()), "overlay", false);
        t = TestTasks.root(vfs);
    }

    private Kstat stat(String path) {
        Kstat st = new Kstat();
        VirtualFilesystem.stat(vfs.resolve(t, t.fs().root(), path, true), st);
        return st;
    }

    @Test
    void readsComeFromTheLowerLayer() {
        assertEquals("root:x:0:0\n", readAll(t, "/etc/passwd"));
        assertEquals("root:x:0:0\n", readAll(t, "/etc/link"));
    }

    @Test
    void writingALowerFileCopiesItUpAndLeavesTheHostAlone() throws IOException {
        long inoBefore = stat("/etc/passwd").ino;
        FileDescription f = vfs.open(t, Fcntl.AT_FDCWD, "/etc/passwd", Fcntl.O_RDWR | Fcntl.O_APPEND, 0);
        assertEquals("root:x:0:0\n", readFrom(f));
        write(f, "user:x:1000:1000\n");
        f.decRef();
        assertEquals("root:x:0:0\nuser:x:1000:1000\n", readAll(t, "/etc/passwd"));
        assertEquals("root:x:0:0\n", Files.readString(dir.resolve("etc/passwd")));
        assertEquals(inoBefore, stat("/etc/passwd").ino, "copy-up keeps the inode number");
        assertEquals(28, stat("/etc/passwd").size);
    }

    @Test
    void oTruncCopiesUpAnEmptyFile() throws IOException {
        vfs.open(t, Fcntl.AT_FDCWD, "/etc/deep/er/file", Fcntl.O_WRONLY | Fcntl.O_TRUNC, 0).decRef();
        assertEquals("", readAll(t, "/etc/deep/er/file"));
        assertEquals("lower\n", Files.readString(dir.resolve("etc/deep/er/file")));
        // The parents were copied up too, and still merge with the lower directories.
        assertEquals("root:x:0:0\n", readAll(t, "/etc/passwd"));
    }

    @Test
    void newFilesGoToTheUpperLayerInsideLowerDirectories() {
        createFile(t, "/etc/deep/er/new", "fresh");
        assertEquals("fresh", readAll(t, "/etc/deep/er/new"));
        assertFalse(Files.exists(dir.resolve("etc/deep/er/new")));
        assertEquals("lower\n", readAll(t, "/etc/deep/er/file"));
        vfs.mkdir(t, t.fs().root(), "/etc/newdir", 0700);
        createFile(t, "/etc/newdir/x", "y");
        assertEquals("y", readAll(t, "/etc/newdir/x"));
        assertEquals(FileMode.S_IFDIR | 0700, stat("/etc/newdir").mode);
        assertFalse(Files.exists(dir.resolve("etc/newdir")));
    }

    @Test
    void readdirMergesBothLayersWithoutDuplicates() {
        createFile(t, "/etc/passwd", "changed");
        createFile(t, "/etc/added", "");
        List<DirEntry> entries = vfs.resolve(t, t.fs().root(), "/etc", true).inode().readdir();
        List<String> names = entries.stream().map(DirEntry::name).sorted().toList();
        assertEquals(List.of("added", "deep", "link", "passwd"), names);
        long passwdIno = entries.stream().filter(e -> e.name().equals("passwd")).findFirst().orElseThrow().ino();
        assertEquals(stat("/etc/passwd").ino, passwdIno);
        long addedIno = entries.stream().filter(e -> e.name().equals("added")).findFirst().orElseThrow().ino();
        assertEquals(stat("/etc/added").ino, addedIno);
    }

    @Test
    void theRootLooksLikeTheLowerRoot() throws IOException {
        int hostMode = (int) Files.getAttribute(dir, "unix:mode");
        assertEquals(hostMode, stat("/").mode);
    }

    @Test
    void oExclOnALowerFileIsEexist() {
        assertErrno(Errno.EEXIST, () -> vfs.open(t, Fcntl.AT_FDCWD, "/etc/passwd",
                Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_WRONLY, 0644));
    }

    @Test
    void aReadOnlyOverlayRefusesWrites() {
        GoferFilesystem lower = new GoferFilesystem(new DirectoryGoferClient(dir));
        VirtualFilesystem ro = new VirtualFilesystem(new OverlayFilesystem(lower, new TmpfsFilesystem()), "o", true);
        Task rt = TestTasks.root(ro);
        assertErrno(Errno.EROFS, () -> ro.open(rt, Fcntl.AT_FDCWD, "/etc/passwd", Fcntl.O_WRONLY, 0));
        assertTrue(readAll(rt, "/etc/passwd").startsWith("root"));
    }
}
