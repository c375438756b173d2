package dev.jvisor.sentry.vfs;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertErrno;
import static dev.jvisor.sentry.vfs.VfsAssertions.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.fs.gofer.DirectoryGoferClient;
import dev.jvisor.sentry.kernel.Task;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VirtualFilesystem.forSandbox: the overlay root with the sentry's own /dev, /proc and /sys. */
class SandboxTreeTest {
    @TempDir
    Path dir;
    private VirtualFilesystem vfs;
    private Task t;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/sh"), "#!");
        vfs = VirtualFilesystem.forSandbox(new DirectoryGoferClient(dir), true, false);
        t = TestTasks.task(vfs, 7, 0, "/bin");
        vfs.procfs().processes().put(t, "/bin/sh", List.of("sh", "-c", "true"));
        t.comm("sh");
    }

    private Kstat stat(String path, boolean follow) {
        Kstat st = new Kstat();
        VirtualFilesystem.stat(vfs.resolve(t, t.fs().root(), path, follow), st);
        return st;
    }

    @Test
    void missingMountpointsAreCreatedInTheUpperLayerOnly() {
        assertTrue(stat("/dev", true).mountRoot);
        assertTrue(stat("/proc", true).mountRoot);
        assertTrue(stat("/sys", true).mountRoot);
        assertFalse(Files.exists(dir.resolve("dev")));
        String mounts = readAll(t, "/proc/mounts");
        assertEquals("""
                overlay / overlay rw 0 0
                none /dev tmpfs rw 0 0
                proc /proc proc rw 0 0
                sysfs /sys sysfs ro 0 0
                """, mounts);
    }

    @Test
    void theSentrysDevAndProcHideTheHostsOnes() throws IOException {
        Files.createDirectories(dir.resolve("dev"));
        Files.writeString(dir.resolve("dev/sda"), "disk");
        Files.createDirectories(dir.resolve("proc/1"));
        VirtualFilesystem v = VirtualFilesystem.forSandbox(new DirectoryGoferClient(dir), true, false);
        Task rt = TestTasks.root(v);
        assertErrno(Errno.ENOENT, () -> v.resolve(rt, rt.fs().root(), "/dev/sda", true));
        assertErrno(Errno.ENOENT, () -> v.resolve(rt, rt.fs().root(), "/proc/1", true));
        assertTrue(v.resolve(rt, rt.fs().root(), "/dev/null", true).inode().mode() != 0);
        assertEquals("/dev", v.pathname(v.resolve(rt, rt.fs().root(), "/dev/../dev", true), rt.fs().root()));
    }

    @Test
    void memoryDevicesHaveLinuxModesAndNumbers() {
        String[] names = {"null", "zero", "full", "random", "urandom"};
        int[] minors = {3, 5, 7, 8, 9};
        for (int i = 0; i < names.length; i++) {
            Kstat st = stat("/dev/" + names[i], true);
            assertEquals(FileMode.S_IFCHR | 0666, st.mode, names[i]);
            assertEquals(1, st.rdevMajor, names[i]);
            assertEquals(minors[i], st.rdevMinor, names[i]);
        }
        assertEquals(Kstat.makedev(1, 3), 0x103);
    }

    @Test
    void memoryDevicesReadAndWriteAsLinuxDoes() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64);
            buf.fill((byte) 7);
            FileDescription nul = vfs.open(t, Fcntl.AT_FDCWD, "/dev/null", Fcntl.O_RDWR, 0);
            assertEquals(0, nul.read(buf));
            assertEquals(64, nul.write(buf));
            FileDescription zero = vfs.open(t, Fcntl.AT_FDCWD, "/dev/zero", Fcntl.O_RDWR, 0);
            assertEquals(64, zero.read(buf));
            assertEquals(0, buf.get(ValueLayout.JAVA_BYTE, 63));
            FileDescription full = vfs.open(t, Fcntl.AT_FDCWD, "/dev/full", Fcntl.O_WRONLY, 0);
            assertEquals(Errno.ENOSPC.ret(), full.write(buf));
            FileDescription ur = vfs.open(t, Fcntl.AT_FDCWD, "/dev/urandom", Fcntl.O_RDONLY, 0);
            assertEquals(64, ur.read(buf));
            long zeros = 0;
            for (long i = 0; i < 64; i++) {
                zeros += buf.get(ValueLayout.JAVA_BYTE, i) == 0 ? 1 : 0;
            }
            assertTrue(zeros < 16, "64 random bytes with " + zeros + " zeros");
            for (FileDescription f : List.of(nul, zero, full, ur)) {
                f.decRef();
            }
        }
        // /dev/null opens for writing even though O_TRUNC is asked, as shells do for "> /dev/null".
        vfs.open(t, Fcntl.AT_FDCWD, "/dev/null", Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0666).decRef();
    }

    @Test
    void procSelfIsTheCallersOwnProcess() {
        assertEquals("7", vfs.readlink(t, vfs.resolve(t, t.fs().root(), "/proc/self", false)));
        assertEquals("/bin/sh", vfs.readlink(t, vfs.resolve(t, t.fs().root(), "/proc/self/exe", false)));
        assertEquals("/bin", vfs.readlink(t, vfs.resolve(t, t.fs().root(), "/proc/7/cwd", false)));
        assertEquals("sh\0-c\0true\0", readAll(t, "/proc/self/cmdline"));
        assertEquals("sh\n", readAll(t, "/proc/7/comm"));
        String status = readAll(t, "/proc/self/status");
        assertTrue(status.startsWith("Name:\tsh\n"), status);
        assertTrue(status.contains("\nPid:\t7\n") && status.contains("\nPPid:\t1\n")
                && status.contains("\nTgid:\t7\n") && status.contains("\nUid:\t0\t0\t0\t0\n"), status);
        assertErrno(Errno.ENOENT, () -> vfs.resolve(t, t.fs().root(), "/proc/8", true));
        // Following /proc/self/exe reaches the executable.
        assertEquals("#!", readAll(t, "/proc/self/exe"));
    }

    @Test
    void procPidFdListsOpenFdsAsLinksToTheirPaths() {
        FileDescription f = vfs.open(t, Fcntl.AT_FDCWD, "/bin/sh", Fcntl.O_RDONLY, 0);
        int fd = t.fdTable().install(f, false, 1024);
        assertEquals("/bin/sh", vfs.readlink(t, vfs.resolve(t, t.fs().root(), "/proc/self/fd/" + fd, false)));
        assertEquals("#!", readAll(t, "/dev/fd/" + fd));
        assertErrno(Errno.ENOENT, () -> vfs.resolve(t, t.fs().root(), "/proc/self/fd/" + (fd + 1), false));
        List<DirEntry> entries = vfs.resolve(t, t.fs().root(), "/proc/7/fd", true).inode().readdir();
        assertEquals(List.of(Integer.toString(fd)), entries.stream().map(DirEntry::name).toList());
    }

    @Test
    void procFdLinksAreMagicAndReachTheOpenFileItself() throws IOException {
        createFileIn("/tmp.txt", "data");
        FileDescription f = vfs.open(t, Fcntl.AT_FDCWD, "/tmp.txt", Fcntl.O_RDONLY, 0);
        int fd = t.fdTable().install(f, false, 1024);
        Inode file = f.inode();
        // Even from inside a chroot that cannot see the file by name, the link reaches it.
        VirtualDentry jail = vfs.resolve(t, t.fs().root(), "/bin", true);
        VirtualDentry procRoot = vfs.resolve(t, t.fs().root(), "/proc", true);
        t.fs().root(jail);
        assertErrno(Errno.ENOENT, () -> vfs.resolve(t, t.fs().root(), "/tmp.txt", true));
        assertTrue(vfs.resolve(t, procRoot, "self/fd/" + fd, true).inode() == file);
        assertEquals("sh", vfs.resolve(t, procRoot, "self/cwd/sh", true).dentry().name());
    }

    private void createFileIn(String path, String s) {
        VfsAssertions.createFile(t, path, s);
    }

    @Test
    void devStdinReopensAHostPipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            assertEquals(0, dev.jvisor.abi.Host.pipe2(fds, Fcntl.O_CLOEXEC));
            int r = fds.get(ValueLayout.JAVA_INT, 0);
            int w = fds.get(ValueLayout.JAVA_INT, 4);
            t.fdTable().install(dev.jvisor.sentry.fs.host.HostFileDescription.of(r, true), false, 1024);
            FileDescription out = dev.jvisor.sentry.fs.host.HostFileDescription.of(w, true);
            VfsAssertions.write(out, "piped");
            out.decRef();
            FileDescription in = vfs.open(t, Fcntl.AT_FDCWD, "/dev/stdin", Fcntl.O_RDONLY, 0);
            assertEquals("piped", VfsAssertions.readFrom(in));
            Kstat st = new Kstat();
            assertEquals(0, in.stat(st));
            assertEquals(FileMode.S_IFIFO, st.mode & FileMode.S_IFMT);
            in.decRef();
            t.fdTable().close(0);
        }
    }

    @Test
    void procListsFixedEntriesAndProcesses() {
        List<String> names = vfs.resolve(t, t.fs().root(), "/proc", true).inode().readdir().stream()
                .map(DirEntry::name).toList();
        assertTrue(names.containsAll(List.of("self", "mounts", "uptime", "version", "7")), names.toString());
        assertTrue(readAll(t, "/proc/version").startsWith("Linux version "));
        assertTrue(readAll(t, "/proc/uptime").matches("\\d+\\.\\d\\d 0\\.00\n"));
    }

    @Test
    void sysIsReadOnlyAndReportsTheOnlineCpus() {
        int n = Runtime.getRuntime().availableProcessors();
        assertEquals(n == 1 ? "0\n" : "0-" + (n - 1) + "\n", readAll(t, "/sys/devices/system/cpu/online"));
        assertErrno(Errno.EROFS, () -> vfs.open(t, Fcntl.AT_FDCWD, "/sys/x", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644));
    }

    @Test
    void withoutAnOverlayTheRootIsReadOnlyAndMissingMountpointsAreSkipped() throws IOException {
        Files.createDirectories(dir.resolve("proc"));
        VirtualFilesystem plain = VirtualFilesystem.forSandbox(new DirectoryGoferClient(dir), false, false);
        Task pt = TestTasks.root(plain);
        assertErrno(Errno.EROFS, () -> plain.open(pt, Fcntl.AT_FDCWD, "/x", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644));
        assertErrno(Errno.ENOENT, () -> plain.resolve(pt, pt.fs().root(), "/dev/null", true));
        Kstat st = new Kstat();
        VirtualFilesystem.stat(plain.resolve(pt, pt.fs().root(), "/proc", true), st);
        assertTrue(st.mountRoot);
    }
}
