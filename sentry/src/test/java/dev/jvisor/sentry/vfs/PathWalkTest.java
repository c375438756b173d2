package dev.jvisor.sentry.vfs;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertErrno;
import static dev.jvisor.sentry.vfs.VfsAssertions.createFile;
import static dev.jvisor.sentry.vfs.VfsAssertions.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.kernel.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Path resolution as path_resolution(7) describes it, on a tmpfs root. */
class PathWalkTest {
    private VirtualFilesystem vfs;
    private Task t;

    @BeforeEach
    void setUp() {
        vfs = new VirtualFilesystem(new TmpfsFilesystem(), "tmpfs", false);
        t = TestTasks.root(vfs);
        vfs.mkdir(t, t.fs().root(), "/a", 0755);
        vfs.mkdir(t, t.fs().root(), "/a/b", 0755);
        createFile(t, "/a/b/file", "hello");
    }

    private void symlink(String dir, String name, String target) {
        vfs.resolve(t, t.fs().root(), dir, true).inode().symlink(name, target, 0, 0);
    }

    private VirtualDentry resolve(String path) {
        return vfs.resolve(t, t.fs().cwd(), path, true);
    }

    @Test
    void absoluteRelativeDotAndDotDotReachTheSameFile() {
        Inode file = resolve("/a/b/file").inode();
        assertSame(file, resolve("a/b/file").inode());
        assertSame(file, resolve("/a/./b/../b//file").inode());
        assertSame(file, resolve("///a/b/file").inode());
        t.fs().cwd(resolve("/a/b"));
        assertSame(file, resolve("file").inode());
        assertSame(file, resolve("../b/file").inode());
    }

    @Test
    void dotDotNeverLeavesTheRoot() {
        VirtualDentry root = t.fs().root();
        assertEquals(root, resolve("/.."));
        assertEquals(root, resolve("/../../.."));
        assertSame(resolve("/a").inode(), resolve("/../../a").inode());
    }

    @Test
    void dotDotNeverLeavesAChrootedRoot() {
        Inode b = resolve("/a/b").inode();
        t.fs().root(resolve("/a"));
        assertSame(b, vfs.resolve(t, t.fs().root(), "/../../b", true).inode());
        assertSame(b, vfs.resolve(t, t.fs().root(), "b/../../../b", true).inode());
        assertEquals("/b", vfs.pathname(vfs.resolve(t, t.fs().root(), "/b", true), t.fs().root()));
    }

    @Test
    void missingComponentsAndFilesUsedAsDirectories() {
        assertErrno(Errno.ENOENT, () -> resolve("/a/nope"));
        assertErrno(Errno.ENOENT, () -> resolve("/nope/b"));
        assertErrno(Errno.ENOTDIR, () -> resolve("/a/b/file/x"));
        assertErrno(Errno.ENOTDIR, () -> resolve("/a/b/file/"));
        assertErrno(Errno.ENOENT, () -> resolve(""));
        assertEquals(FileMode.S_IFDIR, resolve("/a/b/").inode().mode() & FileMode.S_IFMT);
    }

    @Test
    void namesAndPathsOverTheLimitsAreTooLong() {
        assertErrno(Errno.ENAMETOOLONG, () -> resolve("/a/" + "x".repeat(256)));
        assertErrno(Errno.ENOENT, () -> resolve("/a/" + "x".repeat(255)));
        // The limit counts encoded bytes: 128 two-byte characters are 256 bytes.
        assertErrno(Errno.ENAMETOOLONG, () -> resolve("/a/" + "\u00e9".repeat(128)));
        assertErrno(Errno.ENOENT, () -> resolve("/a/" + "\u00e9".repeat(127)));
        String deep = "/a" + "/.".repeat(2047);
        assertEquals(4096, deep.length());
        assertErrno(Errno.ENAMETOOLONG, () -> resolve(deep));
        assertSame(resolve("/a").inode(), resolve(deep.substring(0, 4095)).inode());
    }

    @Test
    void symlinksAreFollowedRelativeToTheirDirectoryOrTheRoot() {
        symlink("/a", "rel", "b/file");
        symlink("/a/b", "abs", "/a/b/file");
        symlink("/", "up", "a/b/../b");
        Inode file = resolve("/a/b/file").inode();
        assertSame(file, resolve("/a/rel").inode());
        assertSame(file, resolve("/a/b/abs").inode());
        assertSame(file, resolve("/up/file").inode());
        assertTrue(vfs.resolve(t, t.fs().root(), "/a/rel", false).inode().isSymlink());
        assertEquals("b/file", vfs.readlink(t, vfs.resolve(t, t.fs().root(), "/a/rel", false)));
        assertErrno(Errno.EINVAL, () -> vfs.readlink(t, resolve("/a/b/file")));
    }

    @Test
    void aTrailingSlashFollowsAFinalSymlinkAndDemandsADirectory() {
        symlink("/", "dirlink", "a/b");
        symlink("/", "filelink", "a/b/file");
        assertSame(resolve("/a/b").inode(), vfs.resolve(t, t.fs().root(), "/dirlink/", false).inode());
        assertErrno(Errno.ENOTDIR, () -> vfs.resolve(t, t.fs().root(), "/filelink/", false));
    }

    @Test
    void symlinkLoopsAndLongChainsGiveEloop() {
        symlink("/", "loop1", "loop2");
        symlink("/", "loop2", "loop1");
        assertErrno(Errno.ELOOP, () -> resolve("/loop1"));
        assertErrno(Errno.ELOOP, () -> resolve("/loop1/x"));
        // A chain of exactly 40 links resolves; 41 is one too many.
        symlink("/", "c0", "/a/b/file");
        for (int i = 1; i <= 40; i++) {
            symlink("/", "c" + i, "c" + (i - 1));
        }
        assertSame(resolve("/a/b/file").inode(), resolve("/c39").inode());
        assertErrno(Errno.ELOOP, () -> resolve("/c40"));
    }

    @Test
    void anEmptySymlinkTargetIsEnoent() {
        symlink("/", "empty", "");
        assertErrno(Errno.ENOENT, () -> resolve("/empty"));
    }

    @Test
    void searchPermissionIsNeededOnEveryDirectoryButRootBypassesIt() {
        resolve("/a").inode().setPermissions(0700);
        Task user = TestTasks.task(vfs, 2, 1000, "/");
        assertErrno(Errno.EACCES, () -> vfs.resolve(user, user.fs().root(), "/a/b/file", true));
        assertEquals("hello", readAll(t, "/a/b/file"));
        resolve("/a").inode().setPermissions(0711);
        assertEquals("hello", readAll(user, "/a/b/file"));
    }

    @Test
    void readAndWritePermissionsFollowOwnerGroupOther() {
        Task user = TestTasks.task(vfs, 2, 1000, "/");
        Inode file = resolve("/a/b/file").inode();
        file.setPermissions(0640);
        assertErrno(Errno.EACCES, () -> vfs.open(user, Fcntl.AT_FDCWD, "/a/b/file", Fcntl.O_RDONLY, 0));
        file.setOwner(0, 1000);
        assertEquals("hello", readAll(user, "/a/b/file"));
        assertErrno(Errno.EACCES, () -> vfs.open(user, Fcntl.AT_FDCWD, "/a/b/file", Fcntl.O_WRONLY, 0));
        file.setOwner(1000, 0);
        file.setPermissions(0200);
        vfs.open(user, Fcntl.AT_FDCWD, "/a/b/file", Fcntl.O_WRONLY, 0).decRef();
        // Root reads and writes regardless of mode bits, but executes only with some x bit.
        file.setPermissions(0);
        assertEquals("hello", readAll(t, "/a/b/file"));
        assertErrno(Errno.EACCES, () -> vfs.openExecutable(t, t.fs().root(), "/a/b/file"));
        file.setPermissions(0100);
        vfs.openExecutable(t, t.fs().root(), "/a/b/file").decRef();
        assertErrno(Errno.EACCES, () -> vfs.openExecutable(t, t.fs().root(), "/a/b"));
    }

    @Test
    void openCreatesWithTheUmaskAndHonoursExclAndNofollow() {
        t.fs().umask(027);
        vfs.open(t, Fcntl.AT_FDCWD, "/a/new", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0666).decRef();
        assertEquals(FileMode.S_IFREG | 0640, resolve("/a/new").inode().mode());
        assertErrno(Errno.EEXIST, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a/new",
                Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_WRONLY, 0666));
        symlink("/a", "link", "new");
        assertErrno(Errno.ELOOP, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a/link", Fcntl.O_RDONLY | Fcntl.O_NOFOLLOW, 0));
        FileDescription p = vfs.open(t, Fcntl.AT_FDCWD, "/a/link", Fcntl.O_PATH | Fcntl.O_NOFOLLOW, 0);
        assertTrue(p.inode().isSymlink());
        assertTrue(!p.readable() && !p.writable());
        assertEquals(Fcntl.O_PATH | Fcntl.O_NOFOLLOW, p.flags());
        p.decRef();
        assertErrno(Errno.EEXIST, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a/link",
                Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_WRONLY, 0666));
    }

    @Test
    void oCreatThroughADanglingSymlinkCreatesItsTarget() {
        symlink("/a", "dangling", "b/made");
        vfs.open(t, Fcntl.AT_FDCWD, "/a/dangling", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644).decRef();
        assertTrue(resolve("/a/b/made").inode().isRegular());
    }

    @Test
    void directoriesOpenOnlyForReadingAndODirectoryWantsOne() {
        assertErrno(Errno.EISDIR, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a", Fcntl.O_WRONLY, 0));
        assertErrno(Errno.EISDIR, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a", Fcntl.O_RDWR, 0));
        assertErrno(Errno.EISDIR, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a", Fcntl.O_CREAT | Fcntl.O_RDONLY, 0));
        assertErrno(Errno.EISDIR, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a/new/", Fcntl.O_CREAT | Fcntl.O_RDWR, 0));
        assertErrno(Errno.EISDIR, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a/b/file/", Fcntl.O_CREAT | Fcntl.O_RDWR, 0));
        assertErrno(Errno.EISDIR, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a/b/..", Fcntl.O_CREAT | Fcntl.O_RDONLY, 0));
        assertErrno(Errno.ENOTDIR, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a/b/file", Fcntl.O_DIRECTORY, 0));
        assertErrno(Errno.EINVAL, () -> vfs.open(t, Fcntl.AT_FDCWD, "/a", Fcntl.O_CREAT | Fcntl.O_DIRECTORY, 0));
        FileDescription d = vfs.open(t, Fcntl.AT_FDCWD, "/a", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        assertTrue(d instanceof DirectoryFileDescription);
        d.decRef();
    }

    @Test
    void dirfdRelativeOpensStartAtThatDirectory() {
        FileDescription dir = vfs.open(t, Fcntl.AT_FDCWD, "/a/b", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        int fd = t.fdTable().install(dir, false, 1024);
        FileDescription f = vfs.open(t, fd, "file", Fcntl.O_RDONLY, 0);
        assertEquals("hello", VfsAssertions.readFrom(f));
        f.decRef();
        FileDescription file = vfs.open(t, Fcntl.AT_FDCWD, "/a/b/file", Fcntl.O_RDONLY, 0);
        int ffd = t.fdTable().install(file, false, 1024);
        assertErrno(Errno.ENOTDIR, () -> vfs.open(t, ffd, "x", Fcntl.O_RDONLY, 0));
        assertErrno(Errno.EBADF, () -> vfs.open(t, 99, "x", Fcntl.O_RDONLY, 0));
        // An absolute path ignores dirfd, even a bad one.
        vfs.open(t, 99, "/a/b/file", Fcntl.O_RDONLY, 0).decRef();
    }

    @Test
    void mountsCoverDirectoriesAndDotDotClimbsBackOut() {
        vfs.mkdir(t, t.fs().root(), "/mnt", 0755);
        createFile(t, "/mnt/hidden", "under");
        TmpfsFilesystem other = new TmpfsFilesystem();
        vfs.mount(resolve("/mnt"), other, false, "other");
        assertErrno(Errno.ENOENT, () -> resolve("/mnt/hidden"));
        createFile(t, "/mnt/top", "over");
        assertEquals("over", readAll(t, "/mnt/top"));
        VirtualDentry mnt = resolve("/mnt");
        assertSame(other.root(), mnt.dentry());
        assertSame(resolve("/a").inode(), resolve("/mnt/../a").inode());
        assertEquals("/mnt/top", vfs.pathname(resolve("/mnt/top"), t.fs().root()));
        t.fs().cwd(mnt);
        assertSame(resolve("/a").inode(), resolve("../a").inode());
        Kstat st = new Kstat();
        VirtualFilesystem.stat(mnt, st);
        assertTrue(st.mountRoot);
        assertEquals(other.devMinor(), st.devMinor);
    }

    @Test
    void aReadOnlyMountRefusesWritesWithErofs() {
        vfs.mkdir(t, t.fs().root(), "/ro", 0755);
        TmpfsFilesystem other = new TmpfsFilesystem();
        other.rootDirectory().create("f", 0644, 0, 0);
        vfs.mount(resolve("/ro"), other, true, "ro");
        assertErrno(Errno.EROFS, () -> vfs.open(t, Fcntl.AT_FDCWD, "/ro/f", Fcntl.O_WRONLY, 0));
        assertErrno(Errno.EROFS, () -> vfs.open(t, Fcntl.AT_FDCWD, "/ro/g", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644));
        assertEquals(Errno.EROFS.ret(), vfs.access(resolve("/ro/f"), Fcntl.W_OK, 0, 0, new int[0]));
        assertEquals(0, vfs.access(resolve("/ro/f"), Fcntl.R_OK, 0, 0, new int[0]));
        vfs.open(t, Fcntl.AT_FDCWD, "/ro/f", Fcntl.O_RDONLY, 0).decRef();
    }

    @Test
    void getcwdStylePathnames() {
        assertEquals("/", vfs.pathname(t.fs().root(), t.fs().root()));
        assertEquals("/a/b", vfs.pathname(resolve("/a/b"), t.fs().root()));
        // Outside a chroot: Linux's "(unreachable)" prefix.
        VirtualDentry a = resolve("/a");
        VirtualDentry b = resolve("/a/b");
        assertEquals("(unreachable)/a", vfs.pathname(a, b));
    }
}
