package dev.jvisor.sentry.fs.host;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.vfs.AnonFilesystem;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.VirtualDentry;

/**
 * The inode behind a host fd, for reopening it through /proc/self/fd/N or /dev/stdin: each open makes a new
 * description over a dup of the host fd. Anyone may reopen it (mode 0666): the host's owner and mode of a
 * caller's terminal or pipe mean nothing inside the sandbox. stat shows the host file.
 */
final class HostInode extends Inode {
    private final HostFileDescription origin;

    HostInode(HostFileDescription origin, int fileType) {
        super(AnonFilesystem.INSTANCE, AnonFilesystem.INSTANCE.nextIno(), fileType | 0666, 0, 0);
        this.origin = origin;
    }

    @Override
    public void stat(Kstat st) {
        long r = origin.stat(st);
        if (r < 0) {
            throw Errno.of((int) -r).exception();
        }
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        int fd = origin.dupHostFd();
        if (fd < 0) {
            throw Errno.of(-fd).exception();
        }
        return new HostFileDescription(vd, fd, flags, true);
    }

    /** O_TRUNC through /dev/stdout: a caller's regular file is truncated, as natively; nothing else is. */
    @Override
    public void truncate(long size) {
        if (isRegular()) {
            int r = origin.truncateHost(size);
            if (r < 0) {
                throw Errno.of(-r).exception();
            }
        }
    }
}
