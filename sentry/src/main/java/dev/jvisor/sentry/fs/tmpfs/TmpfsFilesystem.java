package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.sentry.vfs.Dentry;
import dev.jvisor.sentry.vfs.Filesystem;

/** An in-memory filesystem: directories, regular files held in Java memory, and symlinks. */
public class TmpfsFilesystem extends Filesystem {
    private final String type;
    private final Dentry root;

    /** A tmpfs whose root is drwxrwxrwt root:root, as a fresh tmpfs mount. */
    public TmpfsFilesystem() {
        this("tmpfs", 01777, 0, 0);
    }

    /** A tmpfs of type name {@code type} whose root has mode {@code rootPerm} and the given owner. */
    @SuppressWarnings("this-escape") // the root inode only takes an inode number from this
    public TmpfsFilesystem(String type, int rootPerm, int uid, int gid) {
        this.type = type;
        this.root = Dentry.root(new TmpfsDirectory(this, rootPerm, uid, gid));
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Dentry root() {
        return root;
    }

    /** The root directory's inode, for building a tree. */
    public TmpfsDirectory rootDirectory() {
        return (TmpfsDirectory) root.inode();
    }
}
