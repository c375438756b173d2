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
    private final Function<Task, VirtualDentry> jump;

    ProcLink(Filesystem fs, long ino, int uid, int gid, Function<Task, String> target) {
        this(fs, ino, uid, gid, target, null);
    }

    /** A magic link: following it lands on {@code jump}'s file directly. */
    ProcLink(Filesystem fs, long ino, int uid, int gid, Function<Task, String> target,
             Function<Task, VirtualDentry> jump) {
        super(fs, ino, FileMode.S_IFLNK | 0777, uid, gid);
        this.target = target;
        this.jump = jump;
    }

    @Override
    public VirtualDentry jumpTarget(Task t) {
        if (jump == null) {
            return null;
        }
        VirtualDentry vd = jump.apply(t);
        if (vd == null) {
            throw Errno.ENOENT.exception();
        }
        return vd;
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
