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
    // Directories only, guarded by ofs.copyUpLock. Whiteouts: lower names removed from the union (kept in
    // memory, as the upper layer is). Opaque: upper directories made where a lower one was removed, which must
    // not merge with it.
    private java.util.Set<String> whiteouts = java.util.Set.of();
    private java.util.Set<String> opaque = java.util.Set.of();
    // A lower-only file whose last name was removed: open descriptions still see it, with no link left.
    private volatile boolean removed;

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
        if (removed) {
            st.nlink = 0;
        }
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
        boolean hidden;
        synchronized (ofs.copyUpLock) {
            hidden = whiteouts.contains(childName) || opaque.contains(childName);
        }
        if (lower != null && !hidden && (uc == null || uc.isDir())) {
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
        synchronized (ofs.copyUpLock) {
            for (DirEntry e : lowerEntries.values()) {
                if (!whiteouts.contains(e.name()) && !opaque.contains(e.name())) {
                    merged.putIfAbsent(e.name(), e);
                }
            }
        }
        return new ArrayList<>(merged.values());
    }

    @Override
    public Inode create(String childName, int perm, int uid, int gid) {
        Inode dir = copyUp();
        synchronized (ofs.copyUpLock) {
            Inode made = dir.create(childName, perm, uid, gid);
            whiteouts = without(whiteouts, childName);
            return new OverlayInode(ofs, this, childName, made, null);
        }
    }

    @Override
    public Inode mkdir(String childName, int perm, int uid, int gid) {
        Inode dir = copyUp();
        synchronized (ofs.copyUpLock) {
            Inode made = dir.mkdir(childName, perm, uid, gid);
            covered(childName, true);
            return new OverlayInode(ofs, this, childName, made, null);
        }
    }

    @Override
    public Inode symlink(String childName, String target, int uid, int gid) {
        Inode dir = copyUp();
        synchronized (ofs.copyUpLock) {
            Inode made = dir.symlink(childName, target, uid, gid);
            whiteouts = without(whiteouts, childName);
            return new OverlayInode(ofs, this, childName, made, null);
        }
    }

    @Override
    public Inode link(String childName, Inode target) {
        if (!(target instanceof OverlayInode o) || o.ofs != ofs) {
            throw Errno.EXDEV.exception();
        }
        Inode dir = copyUp();
        Inode up = o.copyUp();
        synchronized (ofs.copyUpLock) {
            dir.link(childName, up);
            whiteouts = without(whiteouts, childName);
            return o;
        }
    }

    @Override
    public void unlink(String childName, Inode child) {
        OverlayInode c = (OverlayInode) child;
        Inode dir = copyUp();
        synchronized (ofs.copyUpLock) {
            if (c.upper != null) {
                dir.unlink(childName, c.upper);
            } else {
                c.removed = true;
            }
            if (lowerHas(childName)) {
                whiteouts = with(whiteouts, childName);
            }
        }
    }

    @Override
    public void rmdir(String childName, Inode child) {
        OverlayInode c = (OverlayInode) child;
        Inode dir = copyUp();
        if (!c.readdir().isEmpty()) {
            throw Errno.ENOTEMPTY.exception();
        }
        synchronized (ofs.copyUpLock) {
            if (c.upper != null) {
                dir.rmdir(childName, c.upper);
            } else {
                c.removed = true;
            }
            boolean hidesLower = lowerHas(childName);
            opaque = without(opaque, childName);
            if (hidesLower) {
                whiteouts = with(whiteouts, childName);
            }
        }
    }

    /**
     * Renames within the union: the file is copied up and moved in the upper layer; a lower name it leaves
     * behind is whited out. A directory that has a lower part cannot move (EXDEV, as overlayfs answers without
     * redirect_dir; mv then copies).
     */
    @Override
    public void rename(String childName, Inode child, Inode newDir, String newName, Inode replaced, int flags) {
        if (!(newDir instanceof OverlayInode to) || to.ofs != ofs) {
            throw Errno.EXDEV.exception();
        }
        OverlayInode c = (OverlayInode) child;
        OverlayInode r = (OverlayInode) replaced;
        if (c.isDir() && c.lower != null) {
            throw Errno.EXDEV.exception();
        }
        if (r != null && r.isDir() && !r.readdir().isEmpty()) {
            throw Errno.ENOTEMPTY.exception();
        }
        Inode up = c.copyUp();
        Inode fromDir = copyUp();
        Inode toDir = to.copyUp();
        synchronized (ofs.copyUpLock) {
            boolean hidesLower = lowerHas(childName);
            fromDir.rename(childName, up, toDir, newName, r == null ? null : r.upper, flags);
            opaque = without(opaque, childName);
            if (hidesLower) {
                whiteouts = with(whiteouts, childName);
            }
            to.covered(newName, c.isDir());
        }
    }

    /**
     * Whether removing the upper entry {@code childName} would uncover a lower one (so a whiteout must stay):
     * the lower directory has the name and it is not already hidden by an opaque directory. Caller holds
     * ofs.copyUpLock.
     */
    private boolean lowerHas(String childName) {
        return lower != null && lower.isDir() && !opaque.contains(childName)
                && lookupOrNull(lower, childName) != null;
    }

    /** An upper entry now stands at {@code childName}: no whiteout; a directory hides any lower one. */
    private void covered(String childName, boolean dir) {
        boolean wasHidden = whiteouts.contains(childName);
        whiteouts = without(whiteouts, childName);
        if (dir && (wasHidden || (lower != null && lookupOrNull(lower, childName) != null))) {
            opaque = with(opaque, childName);
        }
    }

    private static java.util.Set<String> with(java.util.Set<String> s, String name) {
        java.util.Set<String> n = new java.util.HashSet<>(s);
        n.add(name);
        return n;
    }

    private static java.util.Set<String> without(java.util.Set<String> s, String name) {
        if (!s.contains(name)) {
            return s;
        }
        java.util.Set<String> n = new java.util.HashSet<>(s);
        n.remove(name);
        return n;
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
