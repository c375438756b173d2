package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;

/** A tmpfs symlink: its target string, fixed at creation. */
public final class TmpfsSymlink extends Inode {
    private final String target;

    public TmpfsSymlink(Filesystem fs, String target, int uid, int gid) {
        super(fs, fs.nextIno(), FileMode.S_IFLNK | 0777, uid, gid);
        this.target = target;
    }

    @Override
    public String readlink(Task t) {
        return target;
    }

    @Override
    public long size() {
        return target.getBytes(dev.jvisor.sentry.vfs.VirtualFilesystem.NAME_CHARSET).length;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        throw Errno.ELOOP.exception();
    }
}
