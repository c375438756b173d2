package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.util.function.Function;

/**
 * A /proc symlink whose target is computed when read, from the reading task (self) or the process it
 * describes (exe, cwd, fd/N). A null target means the thing is gone: ENOENT.
 */
final class ProcLink extends Inode {
    private final Function<Task, String> target;

    ProcLink(Filesystem fs, long ino, int uid, int gid, Function<Task, String> target) {
        super(fs, ino, FileMode.S_IFLNK | 0777, uid, gid);
        this.target = target;
    }

    @Override
    public String readlink(Task t) {
        String s = target.apply(t);
        if (s == null) {
            throw Errno.ENOENT.exception();
        }
        return s;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        throw Errno.ELOOP.exception();
    }
}
