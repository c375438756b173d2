package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A name in a filesystem's tree bound to an inode. Dentries form the tree that path walks follow; a dentry is
 * per filesystem (mounts are layered on top by {@link VirtualFilesystem}). Positive children are cached when the
 * directory's inode allows it ({@link Inode#cachesChildren()}); a cached child stays valid until the directory
 * removes it ({@link #forget}).
 */
public final class Dentry {
    private final String name;
    private final Dentry parent;
    private final Inode inode;
    private final ConcurrentHashMap<String, Dentry> children;
    // Set once something is mounted here, so walks look in the mount table only for such dentries.
    private volatile boolean mountedOn;

    public Dentry(String name, Dentry parent, Inode inode) {
        this.name = name;
        this.parent = parent;
        this.inode = inode;
        this.children = inode.isDir() && inode.cachesChildren() ? new ConcurrentHashMap<>() : null;
    }

    /** A filesystem root: no parent, named "/". */
    public static Dentry root(Inode inode) {
        return new Dentry("/", null, inode);
    }

    public String name() {
        return name;
    }

    /** The parent in the same filesystem, or null at the filesystem's root. */
    public Dentry parent() {
        return parent;
    }

    public Inode inode() {
        return inode;
    }

    /**
     * The child {@code name} (not "." or ".."); throws ENOENT when absent, ENOTDIR when this is not a
     * directory. Cached children come back as the same object, which mounts rely on.
     */
    public Dentry lookup(String name) {
        if (!inode.isDir()) {
            throw Errno.ENOTDIR.exception();
        }
        if (children == null) {
            return new Dentry(name, this, inode.lookup(name));
        }
        Dentry d = children.get(name);
        if (d != null) {
            return d;
        }
        Dentry fresh = new Dentry(name, this, inode.lookup(name));
        Dentry raced = children.putIfAbsent(name, fresh);
        return raced != null ? raced : fresh;
    }

    /** The cached child {@code name}, or null (for callers that create it when absent). */
    public Dentry cached(String name) {
        return children == null ? null : children.get(name);
    }

    /** Records a child just created in this directory and returns its dentry. */
    public Dentry added(String name, Inode child) {
        Dentry fresh = new Dentry(name, this, child);
        if (children != null) {
            Dentry raced = children.putIfAbsent(name, fresh);
            return raced != null ? raced : fresh;
        }
        return fresh;
    }

    /** Drops the cached child {@code name} (after the filesystem removed it). */
    public void forget(String name) {
        if (children != null) {
            children.remove(name);
        }
    }

    boolean mountedOn() {
        return mountedOn;
    }

    void markMountedOn() {
        mountedOn = true;
    }

    @Override
    public String toString() {
        return "Dentry[" + name + "]";
    }
}
