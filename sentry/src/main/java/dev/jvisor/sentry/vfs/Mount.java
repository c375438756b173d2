package dev.jvisor.sentry.vfs;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A filesystem mounted at a point of the tree. The root mount has no parent. Immutable once created; the
 * mount table itself lives in {@link VirtualFilesystem}.
 */
public final class Mount {
    private static final AtomicInteger NEXT_ID = new AtomicInteger(20);

    private final int id = NEXT_ID.getAndIncrement();
    private final Filesystem fs;
    private final Mount parent;
    private final Dentry mountpoint;
    private final boolean readonly;
    private final String source;

    Mount(Filesystem fs, Mount parent, Dentry mountpoint, boolean readonly, String source) {
        this.fs = fs;
        this.parent = parent;
        this.mountpoint = mountpoint;
        this.readonly = readonly;
        this.source = source;
    }

    public int id() {
        return id;
    }

    public Filesystem filesystem() {
        return fs;
    }

    public Dentry root() {
        return fs.root();
    }

    /** The mount this one sits in, or null for the root mount. */
    public Mount parent() {
        return parent;
    }

    /** The dentry of {@link #parent()} this mount covers, or null for the root mount. */
    public Dentry mountpoint() {
        return mountpoint;
    }

    /** Writes through this mount fail with EROFS (the mount flag or the filesystem itself). */
    public boolean readonly() {
        return readonly || fs.readonly();
    }

    /** The source field of /proc/mounts. */
    public String source() {
        return source;
    }
}
