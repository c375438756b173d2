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
    private final int flags;
    private final String source;

    /** Mount flags (linux/mount.h values). */
    public static final int MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;

    Mount(Filesystem fs, Mount parent, Dentry mountpoint, boolean readonly, String source) {
        this(fs, parent, mountpoint, readonly ? MS_RDONLY : 0, source);
    }

    Mount(Filesystem fs, Mount parent, Dentry mountpoint, int flags, String source) {
        this.fs = fs;
        this.parent = parent;
        this.mountpoint = mountpoint;
        this.readonly = (flags & MS_RDONLY) != 0;
        this.flags = flags;
        this.source = source;
    }

    /** execve of a file on this mount is EACCES. */
    public boolean noexec() {
        return (flags & MS_NOEXEC) != 0;
    }

    /** The MS_* flags the mount was made with. */
    public int flags() {
        return flags;
    }

    /** The options field of /proc/mounts: ro or rw, then nosuid, nodev, noexec as set. */
    public String options() {
        return (readonly() ? "ro" : "rw") + ((flags & MS_NOSUID) != 0 ? ",nosuid" : "")
                + ((flags & MS_NODEV) != 0 ? ",nodev" : "") + ((flags & MS_NOEXEC) != 0 ? ",noexec" : "");
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
