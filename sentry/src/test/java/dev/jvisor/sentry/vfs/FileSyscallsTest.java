package dev.jvisor.sentry.vfs;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertRet;
import static dev.jvisor.sentry.vfs.VfsAssertions.createFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.kernel.Rlimits;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.syscalls.SyscallArguments;
import dev.jvisor.sentry.syscalls.SyscallTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The file syscalls that touch no workload memory, through the syscall table, with man 2's errnos. (The ones
 * that copy to or from workload memory need a MemoryManager and are exercised by the guest programs.)
 */
class FileSyscallsTest {
    private VirtualFilesystem vfs;
    private Task t;
    private int fileFd;
    private int dirFd;

    @BeforeEach
    void setUp() {
        vfs = new VirtualFilesystem(new TmpfsFilesystem(), "tmpfs", false);
        t = TestTasks.root(vfs);
        vfs.mkdir(t, t.fs().root(), "/d", 0755);
        createFile(t, "/d/f", "0123456789");
        fileFd = t.fdTable().install(vfs.open(t, Fcntl.AT_FDCWD, "/d/f", Fcntl.O_RDONLY, 0), false, 1024);
        dirFd = t.fdTable().install(vfs.open(t, Fcntl.AT_FDCWD, "/d", Fcntl.O_RDONLY, 0), false, 1024);
    }

    private long sys(int nr, long... args) {
        SyscallArguments a = new SyscallArguments();
        a.nr = nr;
        long[] v = new long[6];
        System.arraycopy(args, 0, v, 0, args.length);
        a.a0 = v[0];
        a.a1 = v[1];
        a.a2 = v[2];
        a.a3 = v[3];
        a.a4 = v[4];
        a.a5 = v[5];
        return SyscallTable.dispatch(t, a);
    }

    @Test
    void closeAndBadFds() {
        assertEquals(0, sys(Sysno.CLOSE, fileFd));
        assertRet(Errno.EBADF, sys(Sysno.CLOSE, fileFd));
        assertRet(Errno.EBADF, sys(Sysno.CLOSE, -1));
        assertRet(Errno.EBADF, sys(Sysno.READ, 77, 0x1000, 1));
        assertRet(Errno.EBADF, sys(Sysno.WRITE, dirFd, 0x1000, 1));
        assertRet(Errno.EBADF, sys(Sysno.LSEEK, 77, 0, Fcntl.SEEK_SET));
    }

    @Test
    void writingAReadOnlyFdIsEbadf() {
        assertRet(Errno.EBADF, sys(Sysno.WRITE, fileFd, 0x1000, 1));
        assertRet(Errno.EBADF, sys(Sysno.PWRITE64, fileFd, 0x1000, 1, 0));
        assertRet(Errno.EBADF, sys(Sysno.WRITEV, fileFd, 0x1000, 1));
    }

    @Test
    void dupFamily() {
        long d = sys(Sysno.DUP, fileFd);
        assertEquals(2, d);
        assertEquals(9, sys(Sysno.DUP2, fileFd, 9));
        assertEquals(9, sys(Sysno.DUP2, 9, 9));
        assertRet(Errno.EBADF, sys(Sysno.DUP2, 50, 50));
        assertRet(Errno.EINVAL, sys(Sysno.DUP3, fileFd, fileFd, 0));
        assertRet(Errno.EINVAL, sys(Sysno.DUP3, fileFd, 10, Fcntl.O_NONBLOCK));
        assertEquals(10, sys(Sysno.DUP3, fileFd, 10, Fcntl.O_CLOEXEC));
        assertEquals(Fcntl.FD_CLOEXEC, sys(Sysno.FCNTL, 10, Fcntl.F_GETFD));
        assertEquals(0, sys(Sysno.FCNTL, 9, Fcntl.F_GETFD));
        assertRet(Errno.EBADF, sys(Sysno.DUP2, fileFd, 1024));
        // Duplicates share the description, hence the offset.
        assertEquals(4, sys(Sysno.LSEEK, fileFd, 4, Fcntl.SEEK_SET));
        assertEquals(4, sys(Sysno.LSEEK, 9, 0, Fcntl.SEEK_CUR));
    }

    @Test
    void fcntlCommands() {
        assertEquals(5, sys(Sysno.FCNTL, fileFd, Fcntl.F_DUPFD, 5));
        assertEquals(6, sys(Sysno.FCNTL, fileFd, Fcntl.F_DUPFD_CLOEXEC, 5));
        assertEquals(Fcntl.FD_CLOEXEC, sys(Sysno.FCNTL, 6, Fcntl.F_GETFD));
        assertEquals(0, sys(Sysno.FCNTL, 6, Fcntl.F_SETFD, 0));
        assertEquals(0, sys(Sysno.FCNTL, 6, Fcntl.F_GETFD));
        assertRet(Errno.EINVAL, sys(Sysno.FCNTL, fileFd, Fcntl.F_DUPFD, -1));
        assertRet(Errno.EINVAL, sys(Sysno.FCNTL, fileFd, Fcntl.F_DUPFD, 1024));
        assertEquals(Fcntl.O_RDONLY | Fcntl.O_LARGEFILE, sys(Sysno.FCNTL, fileFd, Fcntl.F_GETFL));
        assertEquals(0, sys(Sysno.FCNTL, fileFd, Fcntl.F_SETFL, Fcntl.O_APPEND | Fcntl.O_RDWR | Fcntl.O_NONBLOCK));
        assertEquals(Fcntl.O_RDONLY | Fcntl.O_LARGEFILE | Fcntl.O_APPEND | Fcntl.O_NONBLOCK,
                sys(Sysno.FCNTL, fileFd, Fcntl.F_GETFL));
        assertRet(Errno.EINVAL, sys(Sysno.FCNTL, fileFd, 12345));
        assertRet(Errno.EBADF, sys(Sysno.FCNTL, 99, Fcntl.F_GETFD));
    }

    @Test
    void theNofileLimitBoundsNewFds() {
        t.threadGroup().rlimits().set(Rlimits.NOFILE, 3, 3);
        assertEquals(2, sys(Sysno.DUP, fileFd));
        assertRet(Errno.EMFILE, sys(Sysno.DUP, fileFd));
        assertRet(Errno.EBADF, sys(Sysno.DUP2, fileFd, 3));
        assertRet(Errno.EINVAL, sys(Sysno.FCNTL, fileFd, Fcntl.F_DUPFD, 3));
    }

    @Test
    void lseekOnFilesAndDirectories() {
        assertEquals(10, sys(Sysno.LSEEK, fileFd, 0, Fcntl.SEEK_END));
        assertRet(Errno.EINVAL, sys(Sysno.LSEEK, fileFd, -11, Fcntl.SEEK_END));
        assertRet(Errno.EINVAL, sys(Sysno.LSEEK, fileFd, 0, 9));
        assertEquals(0, sys(Sysno.LSEEK, dirFd, 0, Fcntl.SEEK_SET));
    }

    @Test
    void ioctlGenericRequestsAndEnottyOnFiles() {
        assertRet(Errno.ENOTTY, sys(Sysno.IOCTL, fileFd, Ioctls.TCGETS, 0x1000));
        assertRet(Errno.ENOTTY, sys(Sysno.IOCTL, fileFd, Ioctls.TIOCGWINSZ, 0x1000));
        assertEquals(0, sys(Sysno.IOCTL, fileFd, Ioctls.FIOCLEX));
        assertEquals(Fcntl.FD_CLOEXEC, sys(Sysno.FCNTL, fileFd, Fcntl.F_GETFD));
        assertEquals(0, sys(Sysno.IOCTL, fileFd, Ioctls.FIONCLEX));
        assertEquals(0, sys(Sysno.FCNTL, fileFd, Fcntl.F_GETFD));
        assertRet(Errno.EBADF, sys(Sysno.IOCTL, 99, Ioctls.FIOCLEX));
    }

    @Test
    void umaskReturnsTheOldMask() {
        assertEquals(022, sys(Sysno.UMASK, 077));
        assertEquals(077, sys(Sysno.UMASK, 0777 | 01000));
        assertEquals(0777, t.fs().umask());
    }

    @Test
    void fchdirNeedsADirectory() {
        assertEquals(0, sys(Sysno.FCHDIR, dirFd));
        assertSame(vfs.resolve(t, t.fs().root(), "/d", true).inode(), t.fs().cwd().inode());
        assertRet(Errno.ENOTDIR, sys(Sysno.FCHDIR, fileFd));
        assertRet(Errno.EBADF, sys(Sysno.FCHDIR, 99));
    }

    @Test
    void oPathFdsAllowFstatStyleUseButNoIo() {
        int p = t.fdTable().install(vfs.open(t, Fcntl.AT_FDCWD, "/d/f", Fcntl.O_PATH, 0), false, 1024);
        assertRet(Errno.EBADF, sys(Sysno.READ, p, 0x1000, 1));
        assertRet(Errno.EBADF, sys(Sysno.LSEEK, p, 0, Fcntl.SEEK_SET));
        assertRet(Errno.EBADF, sys(Sysno.FCNTL, p, Fcntl.F_SETFL, Fcntl.O_APPEND));
        assertRet(Errno.EBADF, sys(Sysno.IOCTL, p, Ioctls.FIOCLEX));
        assertEquals(Fcntl.O_PATH, sys(Sysno.FCNTL, p, Fcntl.F_GETFL));
    }
}
