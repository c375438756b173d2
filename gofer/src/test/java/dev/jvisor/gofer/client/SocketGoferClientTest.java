package dev.jvisor.gofer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.gofer.client.GoferClient.Dirent;
import dev.jvisor.gofer.client.GoferClient.FileAttr;
import dev.jvisor.gofer.client.GoferClient.Fid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gofer, as a real process over a real directory, answers as the host kernel would: the host's lstat, read
 * and readlink are the oracle.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketGoferClientTest {
    @TempDir
    static Path base;
    static Path root;
    static GoferProcess gofer;
    static GoferClient c;

    @BeforeAll
    static void startGofer() throws IOException {
        root = HostFixture.build(base);
        gofer = GoferLauncher.start(GoferLauncher.defaultCommand(), root.toString(), false);
        c = gofer.client();
    }

    @AfterAll
    static void stopGofer() throws IOException {
        if (gofer != null) {
            gofer.close();
        }
        HostFixture.cleanup(root);
    }

    private static void assertErrno(Errno expected, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(expected, e.errno());
    }

    private static void assertSameFile(Path hostPath, FileAttr attr) {
        HostFixture.HostStat h = HostFixture.lstat(hostPath);
        assertEquals(h.dev(), attr.dev(), "dev");
        assertEquals(h.ino(), attr.ino(), "ino");
        assertEquals(h.mode(), attr.mode(), "mode");
        assertEquals(h.nlink(), attr.nlink(), "nlink");
        assertEquals(h.uid(), attr.uid(), "uid");
        assertEquals(h.gid(), attr.gid(), "gid");
        assertEquals(h.size(), attr.size(), "size");
        assertEquals(h.mtimeNs(), attr.mtimeNs(), "mtime");
    }

    @Test
    void rootIsTheServedDirectory() {
        assertSameFile(root, c.root().attr());
        assertTrue(FileMode.isDir(c.root().attr().mode()));
    }

    @Test
    void walkAndStatGiveTheHostsLstat() {
        Fid f = c.walk(c.root(), "file.txt");
        assertSameFile(root.resolve("file.txt"), f.attr());
        assertSameFile(root.resolve("file.txt"), c.stat(f));
        Fid d = c.walk(c.root(), "dir");
        assertSameFile(root.resolve("dir"), d.attr());
        assertSameFile(root.resolve("dir/inner.txt"), c.walk(d, "inner.txt").attr());
    }

    @Test
    void statSeesChangesMadeOnTheHostAfterTheWalk() throws IOException {
        Path p = root.resolve("growing.txt");
        Files.writeString(p, "a");
        Fid f = c.walk(c.root(), "growing.txt");
        assertEquals(1, f.attr().size());
        Files.writeString(p, "abcdef");
        assertEquals(6, c.stat(f).size());
    }

    @Test
    void openDonatesAReadableCloexecFdWithTheFilesContent() {
        Fid f = c.walk(c.root(), "file.txt");
        int fd = c.open(f, Fcntl.O_RDONLY);
        try {
            assertTrue(fd > 2);
            assertEquals(HostFixture.FILE_CONTENT, HostFixture.pread(fd, 4096));
            assertEquals(Fcntl.FD_CLOEXEC, HostFixture.fdFlags(fd) & Fcntl.FD_CLOEXEC);
        } finally {
            Host.close(fd);
        }
    }

    @Test
    void openForWritingWritesTheHostFile() throws IOException {
        Path p = root.resolve("writable.txt");
        Files.writeString(p, "old");
        int fd = c.open(c.walk(c.root(), "writable.txt"), Fcntl.O_RDWR | Fcntl.O_TRUNC);
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = a.allocateFrom("new");
            assertEquals(3, Host.pwrite(fd, buf.address(), 3, 0));
        } finally {
            Host.close(fd);
        }
        assertEquals("new", Files.readString(p));
    }

    @Test
    void openOfADirectoryGivesADirectoryFd() {
        int fd = c.open(c.walk(c.root(), "dir"), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = a.allocate(4096);
            assertTrue(Host.getdents64(fd, buf.address(), 4096) > 0);
        } finally {
            Host.close(fd);
        }
    }

    @Test
    void openRejectsWhatOpen2Rejects() {
        Fid dir = c.walk(c.root(), "dir");
        Fid file = c.walk(c.root(), "file.txt");
        assertErrno(Errno.EISDIR, () -> c.open(dir, Fcntl.O_WRONLY));
        assertErrno(Errno.EISDIR, () -> c.open(dir, Fcntl.O_RDWR));
        assertErrno(Errno.ENOTDIR, () -> c.open(file, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY));
        // The gofer never creates through open: O_CREAT and friends have their own messages.
        assertErrno(Errno.EINVAL, () -> c.open(file, Fcntl.O_RDONLY | Fcntl.O_CREAT));
        assertErrno(Errno.EINVAL, () -> c.open(file, Fcntl.O_PATH));
        assertErrno(Errno.EINVAL, () -> c.open(file, Fcntl.O_ACCMODE));
    }

    @Test
    void symlinksAreWalkedNotFollowed() throws IOException {
        Fid link = c.walk(c.root(), "link");
        assertTrue(FileMode.isLnk(link.attr().mode()));
        assertSameFile(root.resolve("link"), link.attr());
        assertEquals(Files.readSymbolicLink(root.resolve("link")).toString(), c.readlink(link));
        // Opening a symlink is open(O_NOFOLLOW) on it: ELOOP, never the target.
        assertErrno(Errno.ELOOP, () -> c.open(link, Fcntl.O_RDONLY));
    }

    @Test
    void aSymlinkOutOfTheRootIsOnlyText() {
        Fid escape = c.walk(c.root(), "escape");
        assertSameFile(root.resolve("escape"), escape.attr());
        assertEquals("../outside.txt", c.readlink(escape));
        assertErrno(Errno.ELOOP, () -> c.open(escape, Fcntl.O_RDONLY));
        assertErrno(Errno.ENOTDIR, () -> c.walk(escape, "x"));
        Fid abs = c.walk(c.root(), "abs");
        assertEquals("/etc/passwd", c.readlink(abs));
        assertErrno(Errno.ELOOP, () -> c.open(abs, Fcntl.O_RDONLY));
    }

    @Test
    void readlinkOfANonSymlinkIsEinval() {
        assertErrno(Errno.EINVAL, () -> c.readlink(c.walk(c.root(), "file.txt")));
        assertErrno(Errno.EINVAL, () -> c.readlink(c.root()));
    }

    @Test
    void aFifoCanBeWalkedButOpeningItFailsAtOnce() {
        Fid fifo = c.walk(c.root(), "fifo");
        assertEquals(FileMode.S_IFIFO, fifo.attr().mode() & FileMode.S_IFMT);
        assertSameFile(root.resolve("fifo"), fifo.attr());
        // open(2) of a FIFO with no writer would block the gofer forever; it refuses instead.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertErrno(Errno.EACCES, () -> c.open(fifo, Fcntl.O_RDONLY));
            assertErrno(Errno.EACCES, () -> c.open(fifo, Fcntl.O_RDONLY | Fcntl.O_NONBLOCK));
        });
    }

    @Test
    void socketsAndDevicesAreNeverOpened() {
        Fid sock = c.walk(c.root(), "sock");
        assertEquals(FileMode.S_IFSOCK, sock.attr().mode() & FileMode.S_IFMT);
        assertErrno(Errno.EACCES, () -> c.open(sock, Fcntl.O_RDWR));
    }

    @Test
    void namesThatAreNotOneComponentAreEinval() {
        for (String bad : List.of("dir/inner.txt", "/file.txt", "..", ".", "", "a\0b")) {
            assertErrno(Errno.EINVAL, () -> c.walk(c.root(), bad));
        }
        assertErrno(Errno.ENAMETOOLONG, () -> c.walk(c.root(), "x".repeat(256)));
        assertErrno(Errno.ENOENT, () -> c.walk(c.root(), "x".repeat(255)));
    }

    @Test
    void absentNamesAreEnoent() {
        assertErrno(Errno.ENOENT, () -> c.walk(c.root(), "nope"));
        assertErrno(Errno.ENOENT, () -> c.walk(c.walk(c.root(), "dir"), "nope"));
    }

    @Test
    void walkingThroughAFileIsEnotdir() {
        Fid f = c.walk(c.root(), "file.txt");
        assertErrno(Errno.ENOTDIR, () -> c.walk(f, "x"));
        assertErrno(Errno.ENOTDIR, () -> c.readdir(f));
    }

    @Test
    void walkManyStopsAtTheFirstMissingName() {
        List<Fid> all = c.walkMany(c.root(), List.of("dir", "inner.txt"));
        assertEquals(2, all.size());
        assertSameFile(root.resolve("dir"), all.get(0).attr());
        assertSameFile(root.resolve("dir/inner.txt"), all.get(1).attr());

        List<Fid> part = c.walkMany(c.root(), List.of("dir", "nope", "deeper"));
        assertEquals(1, part.size());
        assertSameFile(root.resolve("dir"), part.get(0).attr());

        assertEquals(0, c.walkMany(c.root(), List.of("nope")).size());
    }

    @Test
    void walkManyStopsAfterASymlinkForTheSentryToResolve() {
        List<Fid> fids = c.walkMany(c.root(), List.of("link", "x"));
        assertEquals(1, fids.size());
        assertTrue(FileMode.isLnk(fids.get(0).attr().mode()));
    }

    @Test
    void walkManyReportsOtherErrors() {
        assertErrno(Errno.ENOTDIR, () -> c.walkMany(c.root(), List.of("file.txt", "x")));
        assertErrno(Errno.EINVAL, () -> c.walkMany(c.root(), List.of("dir", "..")));
    }

    @Test
    void walkManyOfMoreNamesThanOneMessageHolds() throws IOException {
        Path p = root;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            names.add("d");
            p = p.resolve("d");
        }
        Files.createDirectories(p);
        List<Fid> fids = c.walkMany(c.root(), names);
        assertEquals(300, fids.size());
        assertSameFile(p, fids.get(299).attr());

        // A symlink that ends the first batch (WALK_MANY_MAX names) stops the walk too.
        Path q = root;
        List<String> viaLink = new ArrayList<>();
        for (int i = 0; i < 127; i++) {
            viaLink.add("d");
            q = q.resolve("d");
        }
        Files.createSymbolicLink(q.resolve("l"), Path.of("."));
        viaLink.add("l");
        viaLink.add("d");
        List<Fid> toLink = c.walkMany(c.root(), viaLink);
        assertEquals(128, toLink.size());
        assertTrue(FileMode.isLnk(toLink.get(127).attr().mode()));
    }

    @Test
    void readdirListsWhatTheHostLists() throws IOException {
        Map<String, Dirent> got = new HashMap<>();
        for (Dirent d : c.readdir(c.root())) {
            assertEquals(null, got.put(d.name(), d), "listed twice: " + d.name());
        }
        try (Stream<Path> s = Files.list(root)) {
            List<Path> expected = s.toList();
            assertEquals(expected.size(), got.size(), got.keySet().toString());
            for (Path p : expected) {
                Dirent d = got.get(p.getFileName().toString());
                assertTrue(d != null, "missing " + p);
                HostFixture.HostStat h = HostFixture.lstat(p);
                assertEquals(h.ino(), d.ino(), p.toString());
                assertEquals(FileMode.dtype(h.mode()), d.type(), p.toString());
            }
        }
    }

    @Test
    void readdirOfALargeDirectoryTakesSeveralMessages() throws IOException {
        Path big = Files.createDirectory(root.resolve("big"));
        String pad = "n".repeat(200);
        for (int i = 0; i < 1000; i++) {
            Files.createFile(big.resolve(pad + i));
        }
        List<Dirent> ds = c.readdir(c.walk(c.root(), "big"));
        assertEquals(1000, ds.size());
        assertEquals(1000, ds.stream().map(Dirent::name).distinct().count());
        assertTrue(ds.stream().allMatch(d -> d.type() == FileMode.DT_REG));
    }

    @Test
    void aClunkedFidIsGone() {
        Fid f = c.walk(c.root(), "file.txt");
        c.clunk(f);
        assertErrno(Errno.EBADF, () -> c.stat(f));
        assertErrno(Errno.EBADF, () -> c.clunk(f));
        assertErrno(Errno.EBADF, () -> c.stat(new Fid(1L << 40, f.attr())));
    }

    @Test
    void severalThreadsShareOneClient() throws Exception {
        Fid f = c.walk(c.root(), "file.txt");
        long ino = f.attr().ino();
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 500; i++) {
                        assertEquals(ino, c.stat(f).ino());
                        assertErrno(Errno.ENOENT, () -> c.walk(c.root(), "nope"));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void statRoundTrip() {
        Fid f = c.walk(c.root(), "file.txt");
        for (int i = 0; i < 20_000; i++) {
            c.stat(f);
        }
        int n = 20_000;
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            c.stat(f);
            ns[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(ns);
        // Reported, not asserted: the machine is shared.
        System.out.printf("gofer Stat round trip: p50 %.1f us, p90 %.1f us, p99 %.1f us (%d calls)%n",
                ns[n / 2] / 1e3, ns[n * 9 / 10] / 1e3, ns[n * 99 / 100] / 1e3, n);
        assertNotEquals(0, ns[n / 2]);
    }
}
