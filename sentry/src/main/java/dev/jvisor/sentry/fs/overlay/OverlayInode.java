package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file of the union: its upper inode (null until created or copied up) and its lower one (null for a file
 * that exists only above). Attributes come from the upper inode when there is one. The inode number is the
 * lower file's, so it survives copy-up; upper-only files take theirs from a separate range.
 */
final class OverlayInode extends Inode {
    private final OverlayFilesystem ofs;
    private final OverlayInode parent;
    private final String name;
    private final Inode lower;
    private volatile Inode upper; // set once, under ofs.copyUpLock

    OverlayInode(OverlayFilesystem ofs, OverlayInode parent, String name, Inode upper, Inode lower) {
        super(ofs, lower != null ? lower.ino() : OverlayFilesystem.UPPER_INO_BASE + upper.ino(),
                (upper != null ? upper : lower).mode(), 0, 0);
        this.ofs = ofs;
        this.parent = parent;
        this.name = name;
        this.upper = upper;
        this.lower = lower;
    }

    private Inode top() {
        Inode u = upper;
        return u != null ? u : lower;
    }

    @Override
    public int mode() {
        return top().mode();
    }

    @Override
    public int uid() {
        return top().uid();
    }

    @Override
    public int gid() {
        return top().gid();
    }

    @Override
    public long size() {
        return top().size();
    }

    @Override
    public long atimeNs() {
        return top().atimeNs();
    }

    @Override
    public long mtimeNs() {
        return top().mtimeNs();
    }

    @Override
    public void stat(Kstat st) {
        top().stat(st);
        st.ino = ino();
        st.devMajor = ofs.devMajor();
        st.devMinor = ofs.devMinor();
    }

    /** Whether this file has been copied up (or was created above). */
    boolean copiedUp() {
        return upper != null;
    }

    // ---- directories ----------------------------------------------------------------------------------------

    @Override
    public Inode lookup(String childName) {
        if (!isDir()) {
            throw Errno.ENOTDIR.exception();
        }
        Inode u = upper;
        Inode uc = u != null ? lookupOrNull(u, childName) : null;
        Inode lc = null;
        if (lower != null && (uc == null || uc.isDir())) {
            lc = lookupOrNull(lower, childName);
            // An upper non-directory hides the lower entry; an upper directory merges only with a directory.
            if (lc != null && uc != null && !lc.isDir()) {
                lc = null;
            }
        }
        if (uc == null && lc == null) {
            throw Errno.ENOENT.exception();
        }
        return new OverlayInode(ofs, this, childName, uc, lc);
    }

    private static Inode lookupOrNull(Inode dir, String childName) {
        if (!dir.isDir()) {
            return null;
        }
        try {
            return dir.lookup(childName);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public List<DirEntry> readdir() {
        if (!isDir()) {
            throw Errno.ENOTDIR.exception();
        }
        Map<String, DirEntry> merged = new LinkedHashMap<>();
        Inode u = upper;
        Map<String, DirEntry> lowerEntries = new LinkedHashMap<>();
        if (lower != null && lower.isDir()) {
            for (DirEntry e : lower.readdir()) {
                lowerEntries.put(e.name(), e);
            }
        }
        if (u != null) {
            for (DirEntry e : u.readdir()) {
                DirEntry le = lowerEntries.get(e.name());
                boolean merges = le != null && e.type() == FileMode.DT_DIR && le.type() == FileMode.DT_DIR;
                boolean copied = le != null && le.type() == e.type();
                long ino = merges || copied ? le.ino() : OverlayFilesystem.UPPER_INO_BASE + e.ino();
                merged.put(e.name(), new DirEntry(e.name(), ino, e.type()));
            }
        }
        for (DirEntry e : lowerEntries.values()) {
            merged.putIfAbsent(e.name(), e);
        }
        return new ArrayList<>(merged.values());
    }

    @Override
    public Inode create(String childName, int perm, int uid, int gid) {
        Inode dir = copyUp();
        return new OverlayInode(ofs, this, childName, dir.create(childName, perm, uid, gid), null);
    }

    @Override
    public Inode mkdir(String childName, int perm, int uid, int gid) {
        Inode dir = copyUp();
        return new OverlayInode(ofs, this, childName, dir.mkdir(childName, perm, uid, gid), null);
    }

    @Override
    public Inode symlink(String childName, String target, int uid, int gid) {
        Inode dir = copyUp();
        return new OverlayInode(ofs, this, childName, dir.symlink(childName, target, uid, gid), null);
    }

    // ---- files ----------------------------------------------------------------------------------------------

    @Override
    public String readlink(Task t) {
        return top().readlink(t);
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        boolean write = (flags & Fcntl.O_ACCMODE) != Fcntl.O_RDONLY || (flags & Fcntl.O_TRUNC) != 0;
        if (write && isRegular()) {
            return copyUp().open(vd, flags);
        }
        return top().open(vd, flags);
    }

    @Override
    public void truncate(long size) {
        copyUp().truncate(size);
    }

    @Override
    public void setPermissions(int perm) {
        copyUp().setPermissions(perm);
    }

    @Override
    public void setOwner(int newUid, int newGid) {
        copyUp().setOwner(newUid, newGid);
    }

    @Override
    public void setTimes(long newAtimeNs, long newMtimeNs) {
        copyUp().setTimes(newAtimeNs, newMtimeNs);
    }

    /**
     * Makes sure this file exists in the upper layer, copying its parents, attributes and (for a regular file)
     * its contents up first. Returns the upper inode.
     */
    Inode copyUp() {
        Inode u = upper;
        if (u != null) {
            return u;
        }
        synchronized (ofs.copyUpLock) {
            if (upper != null) {
                return upper;
            }
            Inode dir = parent.copyUp();
            int perm = lower.mode() & 07777;
            Inode made;
            if (lower.isDir()) {
                made = dir.mkdir(name, perm, lower.uid(), lower.gid());
            } else if (lower.isSymlink()) {
                made = dir.symlink(name, lower.readlink(null), lower.uid(), lower.gid());
            } else if (lower.isRegular()) {
                made = dir.create(name, perm, lower.uid(), lower.gid());
                copyContents(lower, made);
            } else {
                // Device nodes, FIFOs and sockets of the lower tree cannot be recreated above yet.
                throw Errno.EOPNOTSUPP.exception();
            }
            if (!lower.isSymlink()) {
                made.setTimes(lower.atimeNs(), lower.mtimeNs());
            }
            upper = made;
            return made;
        }
    }

    private static void copyContents(Inode from, Inode to) {
        FileDescription src = from.open(null, Fcntl.O_RDONLY);
        FileDescription dst = to.open(null, Fcntl.O_WRONLY);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64 * 1024);
            long off = 0;
            while (true) {
                long n = src.pread(buf, off);
                if (n < 0) {
                    throw Errno.of((int) -n).exception();
                }
                if (n == 0) {
                    break;
                }
                MemorySegment chunk = buf.asSlice(0, n);
                long done = 0;
                while (done < n) {
                    long w = dst.pwrite(chunk.asSlice(done), off + done);
                    if (w <= 0) {
                        throw (w < 0 ? Errno.of((int) -w) : Errno.EIO).exception();
                    }
                    done += w;
                }
                off += n;
            }
        } finally {
            src.decRef();
            dst.decRef();
        }
    }
}
