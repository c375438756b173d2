package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.FileMode;
import java.util.List;

/**
 * The hidden filesystem of files with no place in the tree (Linux's anon_inodefs): an empty root, and the
 * inodes that host fds, pipes and sockets hand out for reopening through /proc/self/fd.
 */
public final class AnonFilesystem extends Filesystem {
    public static final AnonFilesystem INSTANCE = new AnonFilesystem();

    private AnonFilesystem() {}

    private final Dentry root = Dentry.root(new Root(this));

    @Override
    public String type() {
        return "anon_inodefs";
    }

    @Override
    public Dentry root() {
        return root;
    }

    private static final class Root extends Inode {
        Root(Filesystem fs) {
            super(fs, fs.nextIno(), FileMode.S_IFDIR | 0500, 0, 0);
        }

        @Override
        public Inode lookup(String name) {
            throw dev.jvisor.abi.Errno.ENOENT.exception();
        }

        @Override
        public List<DirEntry> readdir() {
            return List.of();
        }

        @Override
        public FileDescription open(VirtualDentry vd, int flags) {
            throw new AssertionError("directories are opened by the VFS");
        }
    }
}
