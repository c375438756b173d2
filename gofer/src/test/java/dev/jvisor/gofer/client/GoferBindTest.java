package dev.jvisor.gofer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.gofer.client.GoferClient.Created;
import dev.jvisor.gofer.client.GoferClient.Fid;
import dev.jvisor.gofer.client.GoferClient.SetStat;
import dev.jvisor.gofer.wire.Protocol;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * One gofer serving a read-only root and three binds (a writable directory, a read-only directory, a writable
 * file): the write messages reach the host, whose own view (java.nio, lstat) is the oracle.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoferBindTest {
    static final int RW = 1, RO = 2, FILE = 3;

    @TempDir
    static Path base;
    static Path root;
    static Path rw;
    static Path ro;
    static Path hosts;
    static GoferProcess gofer;
    static GoferClient c;

    @BeforeAll
    static void startGofer() throws IOException {
        root = HostFixture.build(base);
        rw = Files.createDirectory(base.resolve("rw"));
        ro = Files.createDirectory(base.resolve("ro"));
        Files.writeString(ro.resolve("data.txt"), "read-only data\n");
        hosts = Files.writeString(base.resolve("hosts"), "127.0.0.1 localhost\n");
        // Traps inside the writable bind: links out of it and a FIFO.
        Files.createSymbolicLink(rw.resolve("to-root"), Path.of("/"));
        Files.createSymbolicLink(rw.resolve("up"), Path.of("../.."));
        try (Arena a = Arena.ofConfined()) {
            assertEquals(0, Host.mknodat(Fcntl.AT_FDCWD, a.allocateFrom(rw.resolve("fifo").toString()),
                    FileMode.S_IFIFO | 0644, 0));
        }
        gofer = GoferLauncher.spawn(GoferLauncher.defaultCommand(), root.toString(), true, List.of(
                new GoferLauncher.Bind(rw.toString(), false), new GoferLauncher.Bind(ro.toString(), true),
                new GoferLauncher.Bind(hosts.toString(), false)));
        c = gofer.client();
    }

    @AfterAll
    static void stopGofer() throws IOException {
        if (gofer != null) {
            gofer.close();
        }
        HostFixture.cleanup(root);
        Files.deleteIfExists(rw.resolve("to-root"));
        Files.deleteIfExists(rw.resolve("up"));
    }

    private static void assertErrno(Errno expected, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(expected, e.errno());
    }

    private static void write(int fd, String s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(s);
            assertEquals(s.length(), Host.pwrite(fd, buf.address(), s.length(), 0));
        }
    }

    @Test
    void eachMountAttachesToItsOwnSource() {
        assertEquals(HostFixture.lstat(root).ino(), c.attach(0).attr().ino());
        assertEquals(HostFixture.lstat(rw).ino(), c.attach(RW).attr().ino());
        assertEquals(HostFixture.lstat(ro).ino(), c.attach(RO).attr().ino());
        Fid f = c.attach(FILE);
        assertEquals(HostFixture.lstat(hosts).ino(), f.attr().ino());
        assertTrue(FileMode.isReg(f.attr().mode()));
        assertErrno(Errno.ENOENT, () -> c.attach(4));
    }

    @Test
    void aFileCreatedInAWritableBindIsOnTheHost() throws IOException {
        Created made = c.create(c.attach(RW), "new.txt", Fcntl.O_RDWR, 0640, 0, 0);
        try {
            write(made.fd(), "from the sandbox");
        } finally {
            Host.close(made.fd());
        }
        Path p = rw.resolve("new.txt");
        assertEquals("from the sandbox", Files.readString(p));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        assertEquals(HostFixture.lstat(p).ino(), made.fid().attr().ino());
        assertErrno(Errno.EEXIST, () -> c.create(c.attach(RW), "new.txt", Fcntl.O_RDWR, 0644, 0, 0));
    }

    @Test
    void everyWriteInAReadOnlyBindIsErofs() {
        Fid dir = c.attach(RO);
        Fid data = c.walk(dir, "data.txt");
        assertErrno(Errno.EROFS, () -> c.create(dir, "x", Fcntl.O_WRONLY, 0644, 0, 0));
        assertErrno(Errno.EROFS, () -> c.mkdir(dir, "d", 0755, 0, 0));
        assertErrno(Errno.EROFS, () -> c.symlink(dir, "l", "data.txt", 0, 0));
        assertErrno(Errno.EROFS, () -> c.link(data, dir, "hard"));
        assertErrno(Errno.EROFS, () -> c.unlink(dir, "data.txt", 0));
        assertErrno(Errno.EROFS, () -> c.rename(dir, "data.txt", dir, "moved", 0));
        assertErrno(Errno.EROFS, () -> c.setStat(data, new SetStat(Protocol.SET_MODE, 0600, 0, 0, 0, 0, 0, 0, 0)));
        assertErrno(Errno.EROFS, () -> c.open(data, Fcntl.O_WRONLY));
        assertTrue(Files.exists(ro.resolve("data.txt")));
        int fd = c.open(data, Fcntl.O_RDONLY);
        try {
            assertEquals("read-only data\n", HostFixture.pread(fd, 100));
        } finally {
            Host.close(fd);
        }
    }

    @Test
    void theReadOnlyRootRefusesWritesToo() {
        assertErrno(Errno.EROFS, () -> c.mkdir(c.root(), "d", 0755, 0, 0));
    }

    @Test
    void mkdirRenameUnlinkRmdirRoundTrip() {
        Fid dir = c.attach(RW);
        Fid sub = c.mkdir(dir, "sub", 0750, 0, 0);
        assertTrue(FileMode.isDir(sub.attr().mode()));
        assertEquals(0750, sub.attr().mode() & 07777);
        assertTrue(Files.isDirectory(rw.resolve("sub")));
        Created f = c.create(sub, "a", Fcntl.O_WRONLY, 0644, 0, 0);
        Host.close(f.fd());
        c.rename(sub, "a", dir, "b", 0);
        assertFalse(Files.exists(rw.resolve("sub/a")));
        assertTrue(Files.exists(rw.resolve("b")));
        assertErrno(Errno.ENOTEMPTY, () -> {
            Host.close(c.create(sub, "c", Fcntl.O_WRONLY, 0644, 0, 0).fd());
            c.unlink(dir, "sub", Fcntl.AT_REMOVEDIR);
        });
        c.unlink(sub, "c", 0);
        assertErrno(Errno.EISDIR, () -> c.unlink(dir, "sub", 0));
        assertErrno(Errno.ENOTDIR, () -> c.unlink(dir, "b", Fcntl.AT_REMOVEDIR));
        c.unlink(dir, "sub", Fcntl.AT_REMOVEDIR);
        c.unlink(dir, "b", 0);
        assertFalse(Files.exists(rw.resolve("sub")));
        assertFalse(Files.exists(rw.resolve("b")));
        assertErrno(Errno.ENOENT, () -> c.unlink(dir, "b", 0));
    }

    @Test
    void renameAndLinkAcrossMountsAreExdev() {
        Fid dir = c.attach(RW);
        Host.close(c.create(dir, "cross", Fcntl.O_WRONLY, 0644, 0, 0).fd());
        assertErrno(Errno.EXDEV, () -> c.rename(dir, "cross", c.attach(RO), "cross", 0));
        assertErrno(Errno.EXDEV, () -> c.link(c.walk(dir, "cross"), c.root(), "cross"));
        assertTrue(Files.exists(rw.resolve("cross")));
    }

    @Test
    void symlinkAndLinkMakeWhatTheHostWouldMake() throws IOException {
        Fid dir = c.attach(RW);
        Fid l = c.symlink(dir, "sl", "some/target", 0, 0);
        assertTrue(FileMode.isLnk(l.attr().mode()));
        assertEquals("some/target", Files.readSymbolicLink(rw.resolve("sl")).toString());
        assertEquals("some/target", c.readlink(l));
        Created f = c.create(dir, "orig", Fcntl.O_WRONLY, 0644, 0, 0);
        Host.close(f.fd());
        Fid h = c.link(f.fid(), dir, "hard");
        assertEquals(f.fid().attr().ino(), h.attr().ino());
        assertEquals(2, HostFixture.lstat(rw.resolve("orig")).nlink());
        assertErrno(Errno.EPERM, () -> c.link(dir, dir, "dirlink"));
        assertErrno(Errno.EEXIST, () -> c.symlink(dir, "orig", "x", 0, 0));
    }

    @Test
    void setStatChangesModeSizeAndTimesOnTheHost() throws IOException {
        Fid dir = c.attach(RW);
        Created f = c.create(dir, "attrs", Fcntl.O_WRONLY, 0644, 0, 0);
        write(f.fd(), "0123456789");
        Host.close(f.fd());
        GoferClient.FileAttr a = c.setStat(f.fid(), new SetStat(Protocol.SET_MODE | Protocol.SET_SIZE
                | Protocol.SET_MTIME | Protocol.SET_ATIME, 0600, 0, 0, 4, 1000, 5, 2000, 7));
        HostFixture.HostStat h = HostFixture.lstat(rw.resolve("attrs"));
        assertEquals(0600, h.mode() & 07777);
        assertEquals(4, h.size());
        assertEquals(2000L * 1_000_000_000L + 7, h.mtimeNs());
        assertEquals(h.mode(), a.mode());
        assertEquals(4, a.size());
        assertEquals(1000L * 1_000_000_000L + 5, a.atimeNs());
        assertEquals("0123", Files.readString(rw.resolve("attrs")));
        assertErrno(Errno.EISDIR, () -> c.setStat(dir, new SetStat(Protocol.SET_SIZE, 0, 0, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void statfsIsTheHostFilesystemsStatfs() {
        byte[] got = c.statfs(c.attach(RW));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Protocol.STATFS_SIZE, 8);
            int fd = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom(rw.toString()), Fcntl.O_PATH, 0);
            assertEquals(0, Host.fstatfs(fd, st));
            Host.close(fd);
            MemorySegment g = MemorySegment.ofArray(got);
            assertEquals(st.get(ValueLayout.JAVA_LONG, 0), g.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "f_type");
            assertEquals(st.get(ValueLayout.JAVA_LONG, 8), g.get(ValueLayout.JAVA_LONG_UNALIGNED, 8), "f_bsize");
            assertEquals(st.get(ValueLayout.JAVA_LONG, 16), g.get(ValueLayout.JAVA_LONG_UNALIGNED, 16), "f_blocks");
        }
    }

    @Test
    void aFileBindReadsAndWritesTheHostFile() throws IOException {
        Fid f = c.attach(FILE);
        int fd = c.open(f, Fcntl.O_RDONLY);
        try {
            assertEquals("127.0.0.1 localhost\n", HostFixture.pread(fd, 100));
        } finally {
            Host.close(fd);
        }
        fd = c.open(f, Fcntl.O_RDWR);
        try {
            write(fd, "10.0.0.1  ");
        } finally {
            Host.close(fd);
        }
        assertEquals("10.0.0.1  localhost\n", Files.readString(hosts));
        assertErrno(Errno.ENOTDIR, () -> c.walk(f, "x"));
        assertErrno(Errno.ENOTDIR, () -> c.mkdir(f, "x", 0755, 0, 0));
    }

    @Test
    void linksOutOfABindAreNeverFollowedByTheGofer() {
        Fid dir = c.attach(RW);
        Fid toRoot = c.walk(dir, "to-root");
        assertTrue(FileMode.isLnk(toRoot.attr().mode()));
        assertEquals("/", c.readlink(toRoot));
        assertErrno(Errno.ENOTDIR, () -> c.walk(toRoot, "etc"));
        assertErrno(Errno.ELOOP, () -> c.open(toRoot, Fcntl.O_RDONLY));
        assertErrno(Errno.ENOTDIR, () -> c.mkdir(c.walk(dir, "up"), "x", 0755, 0, 0));
        // Names are single components: ".." and paths never reach the host.
        assertErrno(Errno.EINVAL, () -> c.walk(dir, ".."));
        assertErrno(Errno.EINVAL, () -> c.mkdir(dir, "../escaped", 0755, 0, 0));
        assertErrno(Errno.EINVAL, () -> c.rename(dir, "to-root", dir, "../x", 0));
        assertFalse(Files.exists(base.resolve("escaped")));
    }

    @Test
    void aFifoInABindIsNeverOpened() {
        Fid fifo = c.walk(c.attach(RW), "fifo");
        assertEquals(FileMode.S_IFIFO, fifo.attr().mode() & FileMode.S_IFMT);
        // Opening would block the gofer (no reader): the answer must come at once, EACCES.
        assertErrno(Errno.EACCES, () -> c.open(fifo, Fcntl.O_RDONLY));
        assertErrno(Errno.EACCES, () -> c.open(fifo, Fcntl.O_WRONLY));
        assertErrno(Errno.EINVAL, () -> c.setStat(fifo, new SetStat(Protocol.SET_SIZE, 0, 0, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void aDirectoryRenamedDuringAWalkKeepsTheWalkBeneathTheBind() throws IOException {
        // The walk holds a fid on "a"; "a" moves deeper while it is held. Walking on from the fid follows the
        // directory itself (it is pinned by its O_PATH fd), never a path, so it cannot step outside the bind.
        Fid dir = c.attach(RW);
        Fid a = c.mkdir(dir, "a", 0755, 0, 0);
        Host.close(c.create(a, "inside", Fcntl.O_WRONLY, 0644, 0, 0).fd());
        Fid deeper = c.mkdir(dir, "deeper", 0755, 0, 0);
        c.rename(dir, "a", deeper, "a", 0);
        Fid inside = c.walk(a, "inside");
        assertEquals(HostFixture.lstat(rw.resolve("deeper/a/inside")).ino(), inside.attr().ino());
        assertArrayEquals(new String[] {"inside"},
                c.readdir(a).stream().map(GoferClient.Dirent::name).toArray(String[]::new));
    }
}
