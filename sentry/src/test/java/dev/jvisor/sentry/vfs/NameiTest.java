package dev.jvisor.sentry.vfs;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFile;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.kernel.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Namei's checks, in Linux's order, on a tmpfs tree with mounts: what unlink, rename, link, chmod... answer. */
class NameiTest {
    private VirtualFilesystem vfs;
    private Task root;
    private Task user;

    /** A filesystem whose root is a regular file, as a file bind is. */
    private static final class FileRootFs extends Filesystem {
        private final Dentry root = Dentry.root(new TmpfsFile(this, 0644, 0, 0));

        @Override
        public String type() {
            return "file";
        }

        @Override
        public Dentry root() {
            return root;
        }
    }

    @BeforeEach
    void setUp() {
        vfs = new VirtualFilesystem(new TmpfsFilesystem(), "tmpfs", false);
        root = TestTasks.root(vfs);
        vfs.mkdir(root, root.fs().root(), "/etc", 0755);
        vfs.mkdir(root, root.fs().root(), "/m", 0755);
        vfs.mkdir(root, root.fs().root(), "/ro", 0755);
        vfs.mkdir(root, root.fs().root(), "/tmp", 0777);
        vfs.namei().chmod(root, at("/tmp"), 01777);
        vfs.open(root, root.fs().root(), "/etc/hosts", dev.jvisor.abi.Fcntl.O_CREAT | dev.jvisor.abi.Fcntl.O_WRONLY,
                0644).decRef();
        vfs.mountAtPath("/m", new TmpfsFilesystem(), false, "tmpfs", false);
        vfs.mountAtPath("/ro", new TmpfsFilesystem(), true, "tmpfs", false);
        user = TestTasks.task(vfs, 2, 1000, "/");
    }

    private VirtualDentry at(String path) {
        return vfs.resolve(root, root.fs().root(), path, true);
    }

    private void touch(Task t, String path) {
        vfs.open(t, t.fs().root(), path, dev.jvisor.abi.Fcntl.O_CREAT | dev.jvisor.abi.Fcntl.O_WRONLY, 0644)
                .decRef();
    }

    @Test
    void aFileMountsOverAFileOnlyAndCanBeCreated() {
        FileRootFs f = new FileRootFs();
        vfs.mountAtPath("/etc/hosts", f, false, "hosts", false);
        assertSame(f.root().inode(), at("/etc/hosts").inode());
        assertErrno(Errno.ENOTDIR, () -> vfs.mountAtPath("/m", new FileRootFs(), false, "x", false));
        assertErrno(Errno.ENOTDIR, () -> vfs.mountAtPath("/etc/hosts", new TmpfsFilesystem(), false, "x", false));
        // A missing destination of a file mount is made as an empty file, as runc does.
        vfs.mountAtPath("/etc/resolv.conf", new FileRootFs(), false, "resolv", true);
        assertTrue(at("/etc/resolv.conf").inode().isRegular());
        assertTrue(at("/etc/resolv.conf").dentry() == at("/etc/resolv.conf").mount().root());
    }

    @Test
    void aDanglingSymlinkDestinationIsMadeWhereItPoints() {
        vfs.mkdir(root, root.fs().root(), "/run", 0755);
        vfs.namei().symlink(root, "../run/resolve/stub.conf", root.fs().root(), "/etc/resolv.conf");
        vfs.mountAtPath("/etc/resolv.conf", new FileRootFs(), false, "resolv", true);
        assertTrue(at("/run/resolve/stub.conf").inode().isRegular());
        assertTrue(at("/etc/resolv.conf").dentry() == at("/etc/resolv.conf").mount().root());
        vfs.namei().symlink(root, "/loop", root.fs().root(), "/loop");
        assertErrno(Errno.ELOOP, () -> vfs.mountAtPath("/loop", new TmpfsFilesystem(), false, "x", true));
    }

    @Test
    void mountpointsAreBusyAndMountsAreSeparateFilesystems() {
        vfs.mountAtPath("/etc/hosts", new FileRootFs(), false, "hosts", false);
        assertErrno(Errno.EBUSY, () -> vfs.namei().unlink(root, root.fs().root(), "/etc/hosts"));
        assertErrno(Errno.EBUSY, () -> vfs.namei().rmdir(root, root.fs().root(), "/m"));
        assertErrno(Errno.EBUSY, () -> vfs.namei().rename(root, root.fs().root(), "/m", root.fs().root(), "/m2", 0));
        touch(root, "/m/a");
        assertErrno(Errno.EXDEV, () -> vfs.namei().rename(root, root.fs().root(), "/m/a", root.fs().root(), "/a", 0));
        assertErrno(Errno.EXDEV, () -> vfs.namei().link(root, at("/m/a"), root.fs().root(), "/a"));
        assertErrno(Errno.EBUSY, () -> vfs.namei().rmdir(root, root.fs().root(), "/"));
    }

    @Test
    void aReadOnlyMountIsErofsBeforeTheNameIsLookedUp() {
        assertErrno(Errno.EROFS, () -> vfs.namei().unlink(root, root.fs().root(), "/ro/missing"));
        assertErrno(Errno.EROFS, () -> vfs.namei().rmdir(root, root.fs().root(), "/ro/missing"));
        assertErrno(Errno.EROFS, () -> vfs.namei().symlink(root, "x", root.fs().root(), "/ro/l"));
        assertErrno(Errno.EROFS, () -> vfs.namei().chmod(root, at("/ro"), 0700));
        assertErrno(Errno.EROFS, () -> vfs.namei().utimens(root, at("/ro"), null));
        assertEquals(StatFs.ST_RDONLY, Namei.statfs(at("/ro")).flags() & StatFs.ST_RDONLY);
        assertEquals(0, Namei.statfs(at("/m")).flags() & StatFs.ST_RDONLY);
        assertEquals(StatFs.TMPFS_MAGIC, Namei.statfs(at("/m")).type());
    }

    @Test
    void theStickyBitKeepsOthersFilesAndOwnershipRulesHold() {
        touch(root, "/tmp/roots");
        touch(user, "/tmp/users");
        assertErrno(Errno.EPERM, () -> vfs.namei().unlink(user, user.fs().root(), "/tmp/roots"));
        assertErrno(Errno.EPERM, () -> vfs.namei().rename(user, user.fs().root(), "/tmp/roots", user.fs().root(),
                "/tmp/mine", 0));
        vfs.namei().unlink(user, user.fs().root(), "/tmp/users");
        assertErrno(Errno.EACCES, () -> vfs.namei().unlink(user, user.fs().root(), "/etc/hosts"));
        assertErrno(Errno.EPERM, () -> vfs.namei().chmod(user, at("/etc/hosts"), 0777));
        assertErrno(Errno.EPERM, () -> vfs.namei().chown(user, at("/etc/hosts"), 1000, -1));
        assertErrno(Errno.EPERM, () -> vfs.namei().utimens(user, at("/etc/hosts"), new long[] {1, 0, 1, 0}));
        assertErrno(Errno.EACCES, () -> vfs.namei().utimens(user, at("/etc/hosts"), null));
        vfs.namei().chown(root, at("/etc/hosts"), 1000, 1000);
        vfs.namei().chmod(user, at("/etc/hosts"), 02755);
        // Not a member of the file's group 1000? uid 1000's fsgid is 1000, so S_ISGID stays.
        assertEquals(FileMode.S_IFREG | 02755, at("/etc/hosts").inode().mode());
        vfs.namei().chown(root, at("/etc/hosts"), -1, 0);
        vfs.namei().chmod(user, at("/etc/hosts"), 02755);
        assertEquals(FileMode.S_IFREG | 0755, at("/etc/hosts").inode().mode(), "a non-member loses S_ISGID");
    }

    @Test
    void renameKeepsTheTreeATree() {
        vfs.mkdir(root, root.fs().root(), "/m/a", 0755);
        vfs.mkdir(root, root.fs().root(), "/m/a/b", 0755);
        assertErrno(Errno.EINVAL, () -> vfs.namei().rename(root, root.fs().root(), "/m/a", root.fs().root(),
                "/m/a/b/c", 0));
        assertErrno(Errno.ENOTEMPTY, () -> vfs.namei().rename(root, root.fs().root(), "/m/a/b", root.fs().root(),
                "/m/a", 0));
        vfs.namei().rename(root, root.fs().root(), "/m/a/b", root.fs().root(), "/m/c", 0);
        assertTrue(at("/m/c").inode().isDir());
        assertEquals(2, at("/m/a").inode().nlink(), "a directory moved out takes its '..' link along");
        assertEquals(4, at("/m").inode().nlink(), "2, and one per subdirectory: a and c");
        assertErrno(Errno.ENOENT, () -> at("/m/a/b"));
    }
}
