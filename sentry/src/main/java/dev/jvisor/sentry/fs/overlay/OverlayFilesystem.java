package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.vfs.Dentry;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Inode;

/**
 * A writable union of a read-only lower filesystem (the gofer's tree) and an in-memory upper one. Lookups
 * merge the two, the upper winning; a lower file opened for writing is first copied up; new files go to the
 * upper layer. Nothing ever writes to the lower layer, so writes never reach the host.
 *
 * <p>Lock order: a VFS dentry monitor, then {@link #copyUpLock}, then upper-layer inode monitors. Copy-up is
 * rare, so one lock per filesystem serialises it.
 */
public final class OverlayFilesystem extends Filesystem {
    /** Upper-only inodes get numbers above this, clear of the lower layer's. */
    static final long UPPER_INO_BASE = 1L << 62;

    final Object copyUpLock = new Object();
    private final Filesystem lower;
    private final TmpfsFilesystem upper;
    private final Dentry root;

    public OverlayFilesystem(Filesystem lower, TmpfsFilesystem upper) {
        this.lower = lower;
        this.upper = upper;
        Inode lowerRoot = lower.root().inode();
        Inode upperRoot = upper.root().inode();
        // The union's root looks like the lower root (a fresh tmpfs root would show drwxrwxrwt).
        upperRoot.setPermissions(lowerRoot.mode());
        upperRoot.setOwner(lowerRoot.uid(), lowerRoot.gid());
        this.root = Dentry.root(new OverlayInode(this, null, "/", upperRoot, lowerRoot));
    }

    @Override
    public String type() {
        return "overlay";
    }

    @Override
    public Dentry root() {
        return root;
    }

    public Filesystem lower() {
        return lower;
    }

    public TmpfsFilesystem upper() {
        return upper;
    }
}
