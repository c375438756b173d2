package dev.jvisor.sentry.vfs;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One filesystem instance (a superblock): its type name, its anonymous device number, and its root dentry.
 * Mounting it somewhere is the job of {@link VirtualFilesystem#mount}.
 */
public abstract class Filesystem {
    // Linux hands out anonymous devices (major 0) to filesystems with no block device; so do we.
    private static final AtomicInteger NEXT_ANON_MINOR = new AtomicInteger(0x30);

    private final int devMinor = NEXT_ANON_MINOR.getAndIncrement();
    private final AtomicLong nextIno = new AtomicLong(1);

    /** The type name /proc/mounts shows ("tmpfs", "proc"...). */
    public abstract String type();

    /** The root dentry; the same object every time. */
    public abstract Dentry root();

    /** Whether the filesystem itself refuses writes (independently of a mount's read-only flag). */
    public boolean readonly() {
        return false;
    }

    public int devMajor() {
        return 0;
    }

    public int devMinor() {
        return devMinor;
    }

    /** A fresh inode number for a new inode of this filesystem. */
    public long nextIno() {
        return nextIno.getAndIncrement();
    }
}
