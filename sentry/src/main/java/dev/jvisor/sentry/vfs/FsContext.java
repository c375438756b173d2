package dev.jvisor.sentry.vfs;

/**
 * A task's root, working directory and umask (Linux's {@code fs_struct}). Guarded by this; readers take a
 * consistent snapshot through the accessors.
 */
public final class FsContext {
    private VirtualDentry root;
    private VirtualDentry cwd;
    private int umask;

    public FsContext(VirtualDentry root, VirtualDentry cwd, int umask) {
        this.root = root;
        this.cwd = cwd;
        this.umask = umask & 0777;
    }

    public synchronized VirtualDentry root() {
        return root;
    }

    public synchronized VirtualDentry cwd() {
        return cwd;
    }

    public synchronized void cwd(VirtualDentry d) {
        cwd = d;
    }

    public synchronized void root(VirtualDentry d) {
        root = d;
    }

    public synchronized int umask() {
        return umask;
    }

    /** umask(2): sets the mask and returns the old one. */
    public synchronized int umask(int mask) {
        int old = umask;
        umask = mask & 0777;
        return old;
    }

    /** A copy for fork(2) without CLONE_FS. */
    public synchronized FsContext fork() {
        return new FsContext(root, cwd, umask);
    }
}
