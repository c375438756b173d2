package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.gofer.client.GoferClient;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.util.ArrayList;
import java.util.List;

/**
 * A file the gofer serves, named by its Fid. In the read-only root its attributes are those of the walk; in a
 * bind ({@link GoferFilesystem#live()}) stat asks the gofer, and writes go to the host through it.
 */
public final class GoferInode extends Inode {
    private final GoferFilesystem gfs;
    private final GoferClient.Fid fid;
    private volatile GoferClient.FileAttr attr;
    private static final int MAX_MISSING = 256;
    private volatile String linkTarget;
    private volatile java.util.Set<String> missing;

    GoferInode(GoferFilesystem gfs, GoferClient.Fid fid) {
        super(gfs, gfs.inoFor(fid.attr().dev(), fid.attr().ino()), fid.attr().mode(), fid.attr().uid(),
                fid.attr().gid());
        this.gfs = gfs;
        this.fid = fid;
        apply(fid.attr());
    }

    /** Takes fresh attributes from the gofer. */
    private void apply(GoferClient.FileAttr a) {
        this.attr = a;
        this.mode = a.mode();
        this.uid = a.uid();
        this.gid = a.gid();
        this.nlink = a.nlink();
        this.atimeNs = a.atimeNs();
        this.mtimeNs = a.mtimeNs();
        this.ctimeNs = a.ctimeNs();
        this.rdevMajor = (int) (((a.rdev() >>> 8) & 0xfff) | ((a.rdev() >>> 32) & ~0xfffL));
        this.rdevMinor = (int) ((a.rdev() & 0xff) | ((a.rdev() >>> 12) & ~0xffL));
    }

    // Set once the file's last name in the sandbox is gone (unlink, rmdir, replaced by a rename): its fid was
    // clunked, so the gofer holds no descriptor for it, and stat keeps the last attributes with no link left.
    private volatile boolean gone;
    // The descriptor CreateAt opened for a file this sandbox just made, until the open that follows takes it.
    private final java.util.concurrent.atomic.AtomicInteger createdFd = new java.util.concurrent.atomic.AtomicInteger(-1);

    /** The file was removed through this sandbox: release its fid at the gofer. */
    private void removed() {
        gone = true;
        this.nlink = 0;
        int unused = createdFd.getAndSet(-1);
        if (unused >= 0) {
            Host.close(unused);
        }
        try {
            gfs.client().clunk(fid);
        } catch (RuntimeException e) {
            // An fid the gofer no longer knows, or a broken connection: nothing left to release either way.
        }
    }

    /** One of the file's names was removed: if it was the last (the host says so), release the fid. */
    private void nameRemoved() {
        try {
            apply(gfs.client().stat(fid));
        } catch (RuntimeException e) {
            return;
        }
        if (nlink == 0) {
            removed();
        }
    }

    /** In a bind, re-reads the attributes (the host or another name of the file may have changed them). */
    private void refresh() {
        if (gfs.live() && !gone) {
            apply(GoferFilesystem.call(() -> gfs.client().stat(fid)));
        }
    }

    @Override
    public long size() {
        return attr.size();
    }

    @Override
    public void stat(Kstat st) {
        refresh();
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
            if (e.errno() == Errno.ENOENT && !gfs.live()) { // a bind's host side may create the name later
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

    // Writes. The VFS checked the mount is writable; the gofer checks again (a read-only mount is EROFS there
    // too) and the host's errnos come back as they are. Nothing is refreshed after a write: in a bind, stat
    // asks the gofer each time anyway.

    private void writable() {
        if (gfs.readonly()) {
            throw Errno.EROFS.exception();
        }
    }

    @Override
    public Inode create(String name, int mode, int uid, int gid) {
        writable();
        GoferClient.Created c = GoferFilesystem.call(() -> gfs.client().create(fid, name, Fcntl.O_RDWR,
                mode, uid, gid));
        GoferInode made = new GoferInode(gfs, c.fid());
        // The VFS opens the new file right away: the creation's own descriptor serves that open, saving a round
        // trip (O_RDWR on the host; the description enforces the caller's access mode).
        made.createdFd.set(c.fd());
        return made;
    }

    @Override
    public Inode mkdir(String name, int mode, int uid, int gid) {
        writable();
        GoferClient.Fid d = GoferFilesystem.call(() -> gfs.client().mkdir(fid, name, mode, uid, gid));
        return new GoferInode(gfs, d);
    }

    @Override
    public Inode symlink(String name, String target, int uid, int gid) {
        writable();
        GoferClient.Fid l = GoferFilesystem.call(() -> gfs.client().symlink(fid, name, target, uid, gid));
        return new GoferInode(gfs, l);
    }

    @Override
    public Inode link(String name, Inode target) {
        writable();
        if (!(target instanceof GoferInode g) || g.gfs != gfs) {
            throw Errno.EXDEV.exception();
        }
        GoferClient.Fid l = GoferFilesystem.call(() -> gfs.client().link(g.fid, fid, name));
        return new GoferInode(gfs, l);
    }

    @Override
    public void unlink(String name, Inode child) {
        writable();
        GoferFilesystem.call(() -> {
            gfs.client().unlink(fid, name, 0);
            return null;
        });
        if (child instanceof GoferInode g) {
            g.nameRemoved();
        }
    }

    @Override
    public void rmdir(String name, Inode child) {
        writable();
        GoferFilesystem.call(() -> {
            gfs.client().unlink(fid, name, Fcntl.AT_REMOVEDIR);
            return null;
        });
        if (child instanceof GoferInode g) {
            g.removed();
        }
    }

    @Override
    public void rename(String name, Inode child, Inode newDir, String newName, Inode replaced, int flags) {
        writable();
        if (!(newDir instanceof GoferInode g) || g.gfs != gfs) {
            throw Errno.EXDEV.exception();
        }
        GoferFilesystem.call(() -> {
            gfs.client().rename(fid, name, g.fid, newName, flags);
            return null;
        });
        if (replaced instanceof GoferInode r) {
            r.nameRemoved();
        }
    }

    @Override
    public dev.jvisor.sentry.vfs.StatFs statfs() {
        byte[] b = GoferFilesystem.call(() -> gfs.client().statfs(fid));
        return dev.jvisor.sentry.vfs.StatFs.decode(java.lang.foreign.MemorySegment.ofArray(b));
    }


    private void setStat(int mask, int mode, int uid, int gid, long size, long aSec, long aNsec, long mSec,
                         long mNsec) {
        writable();
        GoferClient.SetStat s = new GoferClient.SetStat(mask, mode, uid, gid, size, aSec, aNsec, mSec, mNsec);
        apply(GoferFilesystem.call(() -> gfs.client().setStat(fid, s)));
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
        int acc = flags & Fcntl.O_ACCMODE;
        if (acc != Fcntl.O_RDONLY && gfs.readonly()) {
            throw Errno.EROFS.exception();
        }
        if (!isRegular()) {
            // The gofer opens only regular files and directories: a FIFO or device in the tree is not served.
            throw Errno.ENXIO.exception();
        }
        // O_TRUNC is the VFS's (Inode.truncate); O_APPEND and the offset are the description's.
        int hostFlags = (acc == Fcntl.O_ACCMODE ? Fcntl.O_RDWR : acc) | Fcntl.O_CLOEXEC;
        int created = createdFd.getAndSet(-1);
        int hostFd = created >= 0 ? created : GoferFilesystem.call(() -> gfs.client().open(fid, hostFlags));
        return new GoferFileDescription(vd, flags, hostFd, gfs.live() ? -1 : attr.size());
    }

    private static final int SET_MODE = 1, SET_UID = 2, SET_GID = 4, SET_SIZE = 8, SET_ATIME = 16,
            SET_MTIME = 32;

    @Override
    public void setPermissions(int perm) {
        setStat(SET_MODE, perm & 07777, 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void setOwner(int newUid, int newGid) {
        setStat((newUid != -1 ? SET_UID : 0) | (newGid != -1 ? SET_GID : 0), 0, newUid, newGid, 0, 0, 0, 0, 0);
    }

    @Override
    public void setTimes(long newAtimeNs, long newMtimeNs) {
        setStat(SET_ATIME | SET_MTIME, 0, 0, 0, 0, Math.floorDiv(newAtimeNs, 1_000_000_000L),
                Math.floorMod(newAtimeNs, 1_000_000_000L), Math.floorDiv(newMtimeNs, 1_000_000_000L),
                Math.floorMod(newMtimeNs, 1_000_000_000L));
    }

    @Override
    public void truncate(long size) {
        if (isDir()) {
            throw Errno.EISDIR.exception();
        }
        setStat(SET_SIZE, 0, 0, 0, size, 0, 0, 0, 0);
    }
}
