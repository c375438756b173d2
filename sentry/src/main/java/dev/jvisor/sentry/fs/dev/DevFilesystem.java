package dev.jvisor.sentry.fs.dev;

import dev.jvisor.sentry.fs.tmpfs.TmpfsDirectory;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.fs.tty.TtyInode;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;

/**
 * The sandbox's /dev: a tmpfs (mode 755, as container runtimes mount it) holding the memory character devices
 * null, zero, full, random and urandom with Linux's device numbers, the /proc/self/fd links, an empty
 * world-writable shm directory, /dev/tty (the caller's controlling terminal) and, when the sandbox has a
 * terminal, /dev/pts/0 and /dev/console (a link to it); each {@code exec -t} process's terminal is another
 * /dev/pts/N while it runs.
 */
public final class DevFilesystem extends TmpfsFilesystem {
    public DevFilesystem() {
        super("tmpfs", 0755, 0, 0);
        TmpfsDirectory root = rootDirectory();
        for (DeviceInode.Kind k : DeviceInode.Kind.values()) {
            root.add(k.devName(), new DeviceInode(this, k));
        }
        root.symlink("fd", "/proc/self/fd", 0, 0);
        root.symlink("stdin", "/proc/self/fd/0", 0, 0);
        root.symlink("stdout", "/proc/self/fd/1", 0, 0);
        root.symlink("stderr", "/proc/self/fd/2", 0, 0);
        root.mkdir("shm", 01777, 0, 0);
        root.add("tty", TtyInode.current(this));
    }

    /** Adds the sandbox's terminal as /dev/pts/0, owned by {@code uid}:{@code gid}, and /dev/console. */
    public void addTerminal(Terminal terminal, int uid, int gid) {
        ptsDirectory().add("0", TtyInode.pts(this, terminal, uid, gid, 0));
        rootDirectory().symlink("console", "pts/0", 0, 0);
    }

    /**
     * Adds the terminal of a process started by {@code jrunsc exec -t} as /dev/pts/N, N the lowest number free
     * (as devpts numbers a new pty), owned by {@code uid}:{@code gid}; returns N.
     */
    public synchronized int addPts(Terminal terminal, int uid, int gid) {
        TmpfsDirectory pts = ptsDirectory();
        for (int n = 0;; n++) {
            if (find(pts, Integer.toString(n)) == null) {
                pts.add(Integer.toString(n), TtyInode.pts(this, terminal, uid, gid, n));
                return n;
            }
        }
    }

    /** Removes /dev/pts/{@code n} if it is still {@code terminal}'s (the pty is gone, as devpts removes it). */
    public synchronized void removePts(int n, Terminal terminal) {
        TmpfsDirectory pts = ptsDirectory();
        if (find(pts, Integer.toString(n)) instanceof TtyInode node && node.terminal() == terminal) {
            pts.remove(Integer.toString(n), node);
        }
    }

    private static dev.jvisor.sentry.vfs.Inode find(TmpfsDirectory dir, String name) {
        try {
            return dir.lookup(name);
        } catch (dev.jvisor.abi.ErrnoException e) {
            return null;
        }
    }

    private synchronized TmpfsDirectory ptsDirectory() {
        TmpfsDirectory root = rootDirectory();
        if (find(root, "pts") instanceof TmpfsDirectory d) {
            return d;
        }
        return (TmpfsDirectory) root.mkdir("pts", 0755, 0, 0);
    }
}
