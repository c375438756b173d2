package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.ControllingTerminal;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;

/**
 * A terminal device node. {@link #pts} is an emulated terminal itself (/dev/pts/N, crw--w---- as devpts makes
 * it, major 136, minor N); {@link #current} is /dev/tty (5, 0), which opens the caller's controlling terminal, ENXIO when
 * it has none.
 */
public final class TtyInode extends Inode {
    public static final int PTS_MAJOR = 136, TTYAUX_MAJOR = 5;

    private final Terminal terminal; // null: /dev/tty

    private TtyInode(Filesystem fs, int perm, int uid, int gid, int major, int minor, Terminal terminal) {
        super(fs, fs.nextIno(), FileMode.S_IFCHR | perm, uid, gid);
        this.rdevMajor = major;
        this.rdevMinor = minor;
        this.terminal = terminal;
    }

    /** The node of {@code terminal}, owned by {@code uid}:{@code gid} (the container's user, as runc does). */
    public static TtyInode pts(Filesystem fs, Terminal terminal, int uid, int gid, int index) {
        return new TtyInode(fs, 0620, uid, gid, PTS_MAJOR, index, terminal);
    }

    /** The terminal this node opens; null for /dev/tty. */
    public Terminal terminal() {
        return terminal;
    }

    /** /dev/tty. */
    public static TtyInode current(Filesystem fs) {
        return new TtyInode(fs, 0666, 0, 0, TTYAUX_MAJOR, 0, null);
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        Task t = Task.current();
        if (terminal == null) {
            ControllingTerminal c = t == null ? null : ControllingTerminal.of(t.threadGroup());
            if (c == null || !(c.device() instanceof Terminal tty)) {
                throw Errno.ENXIO.exception();
            }
            return new TtyFileDescription(vd, flags, tty);
        }
        ControllingTerminal c = terminal.control();
        if (t != null && c != null && (flags & Fcntl.O_NOCTTY) == 0 && c.session() == 0) {
            // A session leader with no terminal opening one that no session has gets it (tty_open).
            c.acquire(t.threadGroup(), false, false, true);
        }
        return new TtyFileDescription(vd, flags, terminal);
    }

    @Override
    public void truncate(long size) {
        // O_TRUNC on a character device is ignored, as Linux does.
    }
}
