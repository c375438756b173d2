package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.gofer.client.GoferClient;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.util.ArrayList;
import java.util.List;

/** A file the gofer serves, named by its Fid; attributes as of the walk. */
public final class GoferInode extends Inode {
    private final GoferFilesystem gfs;
    private final GoferClient.Fid fid;
    private final GoferClient.FileAttr attr;
    private static final int MAX_MISSING = 256;
    private volatile String linkTarget;
    private volatile java.util.Set<String> missing;

    GoferInode(GoferFilesystem gfs, GoferClient.Fid fid) {
        super(gfs, gfs.inoFor(fid.attr().dev(), fid.attr().ino()), fid.attr().mode(), fid.attr().uid(),
                fid.attr().gid());
        this.gfs = gfs;
        this.fid = fid;
        this.attr = fid.attr();
        this.nlink = attr.nlink();
        this.atimeNs = attr.atimeNs();
        this.mtimeNs = attr.mtimeNs();
        this.ctimeNs = attr.ctimeNs();
        this.rdevMajor = (int) (((attr.rdev() >>> 8) & 0xfff) | ((attr.rdev() >>> 32) & ~0xfffL));
        this.rdevMinor = (int) ((attr.rdev() & 0xff) | ((attr.rdev() >>> 12) & ~0xffL));
    }

    @Override
    public long size() {
        return attr.size();
    }

    @Override
    public void stat(Kstat st) {
        super.stat(st);
        st.blksize = attr.blksize();
        st.blocks = attr.blocks();
    }

    @Override
    public Inode lookup(String name) {
        // The lower tree does not change under the sandbox, so an absent name stays absent: remember a few, to
        // spare the round trips of PATH and library searches (an overlay above never caches negatives).
        java.util.Set<String> absent = missing;
        if (absent != null && absent.contains(name)) {
            throw Errno.ENOENT.exception();
        }
        try {
            GoferClient.Fid child = GoferFilesystem.call(() -> gfs.client().walk(fid, name));
            return new GoferInode(gfs, child);
        } catch (dev.jvisor.abi.ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                rememberMissing(name);
            }
            throw e;
        }
    }

    private void rememberMissing(String name) {
        java.util.Set<String> absent = missing;
        if (absent == null || absent.size() >= MAX_MISSING) {
            // Bounded: a workload probing random names must not grow the sentry without limit.
            absent = java.util.concurrent.ConcurrentHashMap.newKeySet();
            missing = absent;
        }
        absent.add(name);
    }

    @Override
    public List<DirEntry> readdir() {
        List<GoferClient.Dirent> entries = GoferFilesystem.call(() -> gfs.client().readdir(fid));
        List<DirEntry> out = new ArrayList<>(entries.size());
        for (GoferClient.Dirent e : entries) {
            out.add(new DirEntry(e.name(), e.ino(), e.type()));
        }
        return out;
    }

    @Override
    public Inode create(String name, int mode, int uid, int gid) {
        throw Errno.EROFS.exception();
    }

    @Override
    public Inode mkdir(String name, int mode, int uid, int gid) {
        throw Errno.EROFS.exception();
    }

    @Override
    public Inode symlink(String name, String target, int uid, int gid) {
        throw Errno.EROFS.exception();
    }

    @Override
    public String readlink(Task t) {
        if (!isSymlink()) {
            throw Errno.EINVAL.exception();
        }
        String s = linkTarget;
        if (s == null) {
            s = GoferFilesystem.call(() -> gfs.client().readlink(fid));
            linkTarget = s;
        }
        return s;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        if ((flags & Fcntl.O_ACCMODE) != Fcntl.O_RDONLY) {
            throw Errno.EROFS.exception();
        }
        if (!isRegular()) {
            // The gofer opens only regular files and directories: a FIFO or device in the tree is not served.
            throw Errno.ENXIO.exception();
        }
        int hostFd = GoferFilesystem.call(() -> gfs.client().open(fid, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC));
        return new GoferFileDescription(vd, flags, hostFd, attr.size());
    }

    @Override
    public void setPermissions(int perm) {
        throw Errno.EROFS.exception();
    }

    @Override
    public void setOwner(int newUid, int newGid) {
        throw Errno.EROFS.exception();
    }

    @Override
    public void setTimes(long newAtimeNs, long newMtimeNs) {
        throw Errno.EROFS.exception();
    }

    @Override
    public void truncate(long size) {
        throw Errno.EROFS.exception();
    }
}
