package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;
import java.time.Instant;
import java.util.List;

/**
 * A file of some filesystem: its attributes and the operations its type supports. Directory operations
 * default to ENOTDIR-like failures, symlink ones to EINVAL; each filesystem overrides what it supports.
 *
 * <p>Attribute fields are volatile: a stat may race a write, as in Linux, and sees either value. Filesystems
 * that change several fields together do it under the inode's own monitor.
 */
public abstract class Inode {
    private final Filesystem fs;
    private final long ino;
    protected volatile int mode;
    protected volatile int uid;
    protected volatile int gid;
    protected volatile long nlink = 1;
    protected volatile int rdevMajor;
    protected volatile int rdevMinor;
    protected volatile long atimeNs;
    protected volatile long mtimeNs;
    protected volatile long ctimeNs;

    protected Inode(Filesystem fs, long ino, int mode, int uid, int gid) {
        this.fs = fs;
        this.ino = ino;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        long now = now();
        this.atimeNs = now;
        this.mtimeNs = now;
        this.ctimeNs = now;
        if (FileMode.isDir(mode)) {
            nlink = 2;
        }
    }

    /** Wall-clock time in nanoseconds since the epoch, for timestamps. */
    public static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    public Filesystem filesystem() {
        return fs;
    }

    public long ino() {
        return ino;
    }

    public int mode() {
        return mode;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    public long size() {
        return 0;
    }

    public final boolean isDir() {
        return FileMode.isDir(mode());
    }

    public final boolean isSymlink() {
        return FileMode.isLnk(mode());
    }

    public final boolean isRegular() {
        return FileMode.isReg(mode());
    }

    /** Fills {@code st} from this inode's attributes. */
    public void stat(Kstat st) {
        st.ino = ino();
        st.mode = mode();
        st.nlink = nlink;
        st.uid = uid();
        st.gid = gid();
        st.devMajor = fs.devMajor();
        st.devMinor = fs.devMinor();
        st.rdevMajor = rdevMajor;
        st.rdevMinor = rdevMinor;
        st.size = size();
        st.blksize = 4096;
        st.blocks = (st.size + 511) / 512;
        st.atimeNs = atimeNs;
        st.mtimeNs = mtimeNs;
        st.ctimeNs = ctimeNs;
    }

    /** Adds {@code delta} to the link count of {@code i} (a link made or removed), changing its ctime. */
    protected static void changeLinks(Inode i, long delta) {
        synchronized (i) {
            i.nlink += delta;
        }
        i.ctimeNs = now();
    }

    /** The link count st_nlink shows. */
    public long nlink() {
        return nlink;
    }

    /** Records a change of contents (mtime and ctime). */
    protected void touchModified() {
        long now = now();
        mtimeNs = now;
        ctimeNs = now;
    }

    /** chmod(2) core: replaces the permission bits, keeping the type. */
    public void setPermissions(int perm) {
        mode = (mode() & FileMode.S_IFMT) | (perm & 07777);
        ctimeNs = now();
    }

    /** chown(2) core. */
    public void setOwner(int newUid, int newGid) {
        uid = newUid;
        gid = newGid;
        ctimeNs = now();
    }

    /** utimensat(2) core. */
    public void setTimes(long newAtimeNs, long newMtimeNs) {
        atimeNs = newAtimeNs;
        mtimeNs = newMtimeNs;
        ctimeNs = now();
    }

    public long atimeNs() {
        return atimeNs;
    }

    public long mtimeNs() {
        return mtimeNs;
    }

    // ---- permissions ----------------------------------------------------------------------------------------

    /** Checks {@code may} (a mask of R_OK, W_OK, X_OK) against the filesystem credentials. 0 or -EACCES. */
    public final int permission(Credentials c, int may) {
        return permission(c.fsuid, c.fsgid, c.groups, may);
    }

    /**
     * Checks {@code may} for a user: the owner, group or other bits apply, in that order. uid 0 passes every
     * read and write check and every search of a directory, but executes a file only if some x bit is set.
     */
    public final int permission(int uid, int gid, int[] groups, int may) {
        int m = mode();
        if (uid == 0) {
            if ((may & Fcntl.X_OK) == 0 || isDir() || (m & 0111) != 0) {
                return 0;
            }
            return (int) Errno.EACCES.ret();
        }
        int bits;
        if (uid == uid()) {
            bits = (m >>> 6) & 7;
        } else if (inGroup(gid, groups, gid())) {
            bits = (m >>> 3) & 7;
        } else {
            bits = m & 7;
        }
        return (bits & may) == may ? 0 : (int) Errno.EACCES.ret();
    }

    private static boolean inGroup(int gid, int[] groups, int fileGid) {
        if (gid == fileGid) {
            return true;
        }
        if (groups != null) {
            for (int g : groups) {
                if (g == fileGid) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- directories ----------------------------------------------------------------------------------------

    /** The child {@code name}; throws ENOENT when absent. */
    public Inode lookup(String name) {
        throw Errno.ENOTDIR.exception();
    }

    /** Every entry, "." and ".." excluded. */
    public List<DirEntry> readdir() {
        throw Errno.ENOTDIR.exception();
    }

    /** Whether children found by {@link #lookup} may be cached in the dentry tree. */
    public boolean cachesChildren() {
        return true;
    }

    /** Creates the regular file {@code name} ({@code mode} holds permission bits). EEXIST if it exists. */
    public Inode create(String name, int mode, int uid, int gid) {
        throw (isDir() ? Errno.EACCES : Errno.ENOTDIR).exception();
    }

    /** Creates the directory {@code name}. EEXIST if it exists. */
    public Inode mkdir(String name, int mode, int uid, int gid) {
        throw (isDir() ? Errno.EPERM : Errno.ENOTDIR).exception();
    }

    /** Creates the symlink {@code name} pointing at {@code target}. EEXIST if it exists. */
    public Inode symlink(String name, String target, int uid, int gid) {
        throw (isDir() ? Errno.EPERM : Errno.ENOTDIR).exception();
    }

    /**
     * Removes the entry {@code name} (a non-directory, {@code child}) from this directory. The VFS has checked
     * permissions, the sticky bit, mounts and the type. A filesystem without the operation answers EPERM, as
     * Linux's VFS does.
     */
    public void unlink(String name, Inode child) {
        throw (isDir() ? Errno.EPERM : Errno.ENOTDIR).exception();
    }

    /** Removes the empty directory {@code name} ({@code child}); ENOTEMPTY when it has entries. */
    public void rmdir(String name, Inode child) {
        throw (isDir() ? Errno.EPERM : Errno.ENOTDIR).exception();
    }

    /**
     * Moves entry {@code name} ({@code child}) to {@code newName} in {@code newDir}, a directory of the same
     * filesystem, replacing {@code replaced} (null when the name is free). The VFS has checked permissions,
     * types (a directory replaces only an empty directory, a non-directory only a non-directory) and that a
     * directory does not move under itself. {@code flags} are renameat2's (RENAME_NOREPLACE, RENAME_EXCHANGE).
     */
    public void rename(String name, Inode child, Inode newDir, String newName, Inode replaced, int flags) {
        throw (isDir() ? Errno.EPERM : Errno.ENOTDIR).exception();
    }

    /** Makes {@code name} in this directory a new hard link to {@code target}; returns the inode to cache. */
    public Inode link(String name, Inode target) {
        throw (isDir() ? Errno.EPERM : Errno.ENOTDIR).exception();
    }

    /** The filesystem statistics statfs(2) reports for this file. */
    public StatFs statfs() {
        return StatFs.anonymous(fs);
    }

    // ---- symlinks -------------------------------------------------------------------------------------------

    /** The symlink's target as {@code t} sees it (/proc/self depends on the caller); EINVAL if not a symlink. */
    public String readlink(Task t) {
        throw Errno.EINVAL.exception();
    }

    /**
     * For a magic link (/proc/pid/fd/N, cwd, root): the file it stands for, reached directly rather than by
     * re-walking its text, as Linux does. Null for an ordinary symlink (the default).
     */
    public VirtualDentry jumpTarget(Task t) {
        return null;
    }

    // ---- files ----------------------------------------------------------------------------------------------

    /**
     * Opens this inode for I/O. The VFS has already checked permissions, the mount's read-only flag and the
     * file type against {@code flags}; {@code vd} is the path the description will report.
     */
    public abstract FileDescription open(VirtualDentry vd, int flags);

    /** Sets the size (O_TRUNC, ftruncate). */
    public void truncate(long size) {
        throw (isDir() ? Errno.EISDIR : Errno.EINVAL).exception();
    }
}
