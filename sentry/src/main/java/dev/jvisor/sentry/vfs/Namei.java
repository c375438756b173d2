package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;

/**
 * The path operations that change names and attributes (Linux's fs/namei.c and fs/attr.c): unlink, rmdir,
 * symlink, link, rename, truncate, chmod, chown, utimes, statfs. Each resolves its paths, makes Linux's checks in
 * Linux's order (EROFS before ENOENT for the last component, then permissions, the sticky bit, types and mounts)
 * and calls the filesystem, which may still answer with its own errno (a bind: the host's). Throws the errno.
 */
public final class Namei {
    /** renameat2 flags. */
    public static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;
    /** utimensat's special nsec values. */
    public static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    private final VirtualFilesystem vfs;
    // Renames are serialized, so the ancestor check and the move see one tree (Linux's s_vfs_rename_mutex).
    private final Object renameLock = new Object();

    Namei(VirtualFilesystem vfs) {
        this.vfs = vfs;
    }

    private static boolean dotOrDotdot(String name) {
        return name.equals(".") || name.equals("..");
    }

    private static void writableMount(VirtualDentry dir) {
        if (dir.mount().readonly()) {
            throw Errno.EROFS.exception();
        }
    }

    /** may_delete's checks on {@code child} in {@code dir}: search+write on dir, then the sticky bit. */
    private static void mayDelete(Credentials c, VirtualDentry dir, Inode child) {
        if (dir.inode().permission(c, Fcntl.W_OK | Fcntl.X_OK) != 0) {
            throw Errno.EACCES.exception();
        }
        Inode d = dir.inode();
        if ((d.mode() & FileMode.S_ISVTX) != 0 && c.fsuid != 0 && c.fsuid != d.uid() && c.fsuid != child.uid()) {
            throw Errno.EPERM.exception();
        }
    }

    /** unlink(2) and unlinkat(2) without AT_REMOVEDIR. */
    public void unlink(Task t, VirtualDentry start, String path) {
        PathWalk w = vfs.walker(t);
        VirtualDentry dir = w.walk(start, path, true, true);
        String name = w.last;
        if (dotOrDotdot(name)) {
            throw Errno.EISDIR.exception();
        }
        writableMount(dir);
        synchronized (dir.dentry()) {
            Dentry child = dir.dentry().lookup(name);
            Inode ci = child.inode();
            if (w.mustBeDir && !ci.isDir()) {
                throw Errno.ENOTDIR.exception();
            }
            mayDelete(w.creds, dir, ci);
            if (ci.isDir()) {
                throw Errno.EISDIR.exception();
            }
            if (vfs.isMountpoint(new VirtualDentry(dir.mount(), child))) {
                throw Errno.EBUSY.exception();
            }
            dir.inode().unlink(name, ci);
            dir.dentry().forget(name);
        }
    }

    /** rmdir(2) and unlinkat(2) with AT_REMOVEDIR. */
    public void rmdir(Task t, VirtualDentry start, String path) {
        PathWalk w = vfs.walker(t);
        VirtualDentry dir = w.walk(start, path, true, true);
        String name = w.last;
        if (path.chars().allMatch(ch -> ch == '/')) {
            throw Errno.EBUSY.exception(); // the root
        }
        if (name.equals(".")) {
            throw Errno.EINVAL.exception();
        }
        if (name.equals("..")) {
            throw Errno.ENOTEMPTY.exception();
        }
        writableMount(dir);
        synchronized (dir.dentry()) {
            Dentry child = dir.dentry().lookup(name);
            Inode ci = child.inode();
            mayDelete(w.creds, dir, ci);
            if (!ci.isDir()) {
                throw Errno.ENOTDIR.exception();
            }
            VirtualDentry cvd = new VirtualDentry(dir.mount(), child);
            if (vfs.isMountpoint(cvd) || cvd.equals(w.root)) {
                throw Errno.EBUSY.exception();
            }
            dir.inode().rmdir(name, ci);
            dir.dentry().forget(name);
        }
    }

    /** symlink(2) and symlinkat(2): {@code path} becomes a symlink holding {@code target}. */
    public void symlink(Task t, String target, VirtualDentry start, String path) {
        if (target.isEmpty()) {
            throw Errno.ENOENT.exception();
        }
        PathWalk w = vfs.walker(t);
        VirtualDentry dir = w.walk(start, path, true, true);
        String name = w.last;
        if (dotOrDotdot(name) || w.mustBeDir) {
            throw Errno.EEXIST.exception();
        }
        if (VirtualFilesystem.nameTooLong(name)) {
            throw Errno.ENAMETOOLONG.exception();
        }
        synchronized (dir.dentry()) {
            // As Linux's filename_create: an existing name is EEXIST even on a read-only mount.
            if (VirtualFilesystem.lookupOrNull(dir.dentry(), name) != null) {
                throw Errno.EEXIST.exception();
            }
            writableMount(dir);
            if (dir.inode().permission(w.creds, Fcntl.W_OK | Fcntl.X_OK) != 0) {
                throw Errno.EACCES.exception();
            }
            Inode made = dir.inode().symlink(name, target, w.creds.fsuid, VirtualFilesystem.newGid(w.creds,
                    dir.inode()));
            dir.dentry().added(name, made);
        }
    }

    /** link(2) and linkat(2): {@code newPath} becomes another name of the file {@code old}. */
    public void link(Task t, VirtualDentry old, VirtualDentry newStart, String newPath) {
        PathWalk w = vfs.walker(t);
        VirtualDentry dir = w.walk(newStart, newPath, true, true);
        String name = w.last;
        if (dotOrDotdot(name)) {
            throw Errno.EEXIST.exception();
        }
        synchronized (dir.dentry()) {
            if (VirtualFilesystem.lookupOrNull(dir.dentry(), name) != null) {
                throw Errno.EEXIST.exception();
            }
            writableMount(dir);
            if (old.mount() != dir.mount()) {
                throw Errno.EXDEV.exception();
            }
            if (dir.inode().permission(w.creds, Fcntl.W_OK | Fcntl.X_OK) != 0) {
                throw Errno.EACCES.exception();
            }
            if (old.inode().isDir()) {
                throw Errno.EPERM.exception();
            }
            Inode made = dir.inode().link(name, old.inode());
            dir.dentry().added(name, made);
        }
    }

    /** rename(2), renameat(2), renameat2(2) with RENAME_NOREPLACE (RENAME_EXCHANGE and WHITEOUT: EINVAL). */
    public void rename(Task t, VirtualDentry oldStart, String oldPath, VirtualDentry newStart, String newPath,
                       int flags) {
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0
                || (flags & (RENAME_NOREPLACE | RENAME_EXCHANGE)) == (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
            throw Errno.EINVAL.exception();
        }
        if ((flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0) {
            throw Errno.EINVAL.exception(); // not implemented: no filesystem here supports them yet
        }
        PathWalk ow = vfs.walker(t);
        VirtualDentry oldDir = ow.walk(oldStart, oldPath, true, true);
        String oldName = ow.last;
        PathWalk w = vfs.walker(t);
        VirtualDentry newDir = w.walk(newStart, newPath, true, true);
        String newName = w.last;
        if (dotOrDotdot(oldName)) {
            throw Errno.EBUSY.exception();
        }
        if (dotOrDotdot(newName)) {
            throw ((flags & RENAME_NOREPLACE) != 0 ? Errno.EEXIST : Errno.EBUSY).exception();
        }
        if (oldDir.mount() != newDir.mount()) {
            throw Errno.EXDEV.exception();
        }
        writableMount(oldDir);
        if (VirtualFilesystem.nameTooLong(newName)) {
            throw Errno.ENAMETOOLONG.exception();
        }
        synchronized (renameLock) {
            Dentry od = oldDir.dentry().lookup(oldName);
            Inode oi = od.inode();
            Dentry nd = VirtualFilesystem.lookupOrNull(newDir.dentry(), newName);
            if (nd != null && (flags & RENAME_NOREPLACE) != 0) {
                throw Errno.EEXIST.exception();
            }
            if (!oi.isDir() && (ow.mustBeDir || w.mustBeDir)) {
                throw Errno.ENOTDIR.exception();
            }
            if (nd != null && nd.inode() == oi) {
                return; // two names of one file: rename does nothing, successfully
            }
            // A directory may not move beneath itself; nor may its target be an ancestor of the source.
            if (oi.isDir() && isAncestor(od, newDir.dentry())) {
                throw Errno.EINVAL.exception();
            }
            if (nd != null && isAncestor(nd, oldDir.dentry())) {
                throw Errno.ENOTEMPTY.exception();
            }
            mayDelete(w.creds, oldDir, oi);
            if (nd != null) {
                mayDelete(w.creds, newDir, nd.inode());
                if (oi.isDir() && !nd.inode().isDir()) {
                    throw Errno.ENOTDIR.exception();
                }
                if (!oi.isDir() && nd.inode().isDir()) {
                    throw Errno.EISDIR.exception();
                }
            } else if (newDir.inode().permission(w.creds, Fcntl.W_OK | Fcntl.X_OK) != 0) {
                throw Errno.EACCES.exception();
            }
            if (vfs.isMountpoint(new VirtualDentry(oldDir.mount(), od))
                    || (nd != null && vfs.isMountpoint(new VirtualDentry(newDir.mount(), nd)))) {
                throw Errno.EBUSY.exception();
            }
            oldDir.inode().rename(oldName, oi, newDir.inode(), newName, nd == null ? null : nd.inode(), flags);
            // Dentries are immutable (name, parent): the old one is dropped and the same inode is cached under
            // the new name, so a gofer file keeps its one fid. A moved directory's cached children go with the
            // old dentry and are looked up again under the new one.
            oldDir.dentry().forget(oldName);
            newDir.dentry().forget(newName);
            newDir.dentry().added(newName, oi);
        }
    }

    /** Whether {@code a} is {@code d} or one of its parents (within one filesystem). */
    private static boolean isAncestor(Dentry a, Dentry d) {
        for (Dentry cur = d; cur != null; cur = cur.parent()) {
            if (cur == a) {
                return true;
            }
        }
        return false;
    }

    /** truncate(2) of a resolved path: EISDIR, EINVAL for a non-regular file or a negative length, EROFS, EACCES. */
    public void truncate(Task t, VirtualDentry vd, long length) {
        Inode i = vd.inode();
        if (length < 0) {
            throw Errno.EINVAL.exception();
        }
        if (i.isDir()) {
            throw Errno.EISDIR.exception();
        }
        if (!i.isRegular()) {
            throw Errno.EINVAL.exception();
        }
        if (i.permission(t.creds(), Fcntl.W_OK) != 0) {
            throw Errno.EACCES.exception();
        }
        if (vd.mount().readonly()) {
            throw Errno.EROFS.exception();
        }
        i.truncate(length);
    }

    private static boolean owner(Credentials c, Inode i) {
        return c.fsuid == 0 || c.fsuid == i.uid();
    }

    private static boolean inGroups(Credentials c, int gid) {
        if (c.fsgid == gid) {
            return true;
        }
        if (c.groups != null) {
            for (int g : c.groups) {
                if (g == gid) {
                    return true;
                }
            }
        }
        return false;
    }

    /** chmod(2) core: EROFS, EPERM unless owner or root; a non-member's S_ISGID is dropped, as Linux does. */
    public void chmod(Task t, VirtualDentry vd, int mode) {
        Inode i = vd.inode();
        writableMount(vd);
        Credentials c = t.creds();
        if (!owner(c, i)) {
            throw Errno.EPERM.exception();
        }
        int perm = mode & 07777;
        if (c.fsuid != 0 && !inGroups(c, i.gid())) {
            perm &= ~FileMode.S_ISGID;
        }
        i.setPermissions(perm);
    }

    /**
     * chown(2) core ({@code -1} leaves an id): root may do anything; the owner may only set the group to one of
     * their own groups (and the uid to itself). A regular file loses set-user-ID, and set-group-ID when it is
     * group-executable, as Linux does.
     */
    public void chown(Task t, VirtualDentry vd, int uid, int gid) {
        Inode i = vd.inode();
        writableMount(vd);
        Credentials c = t.creds();
        if (c.fsuid != 0) {
            boolean uidOk = uid == -1 || uid == i.uid();
            boolean gidOk = gid == -1 || gid == i.gid() || (c.fsuid == i.uid() && inGroups(c, gid));
            if (!uidOk || !gidOk || (gid != -1 && gid != i.gid() && c.fsuid != i.uid())) {
                throw Errno.EPERM.exception();
            }
        }
        if (uid == -1 && gid == -1) {
            return;
        }
        i.setOwner(uid == -1 ? i.uid() : uid, gid == -1 ? i.gid() : gid);
        if (i.isRegular() && (i.mode() & (FileMode.S_ISUID | FileMode.S_ISGID)) != 0) {
            int m = i.mode() & 07777 & ~FileMode.S_ISUID;
            if ((m & 010) != 0) {
                m &= ~FileMode.S_ISGID;
            }
            if (m != (i.mode() & 07777)) {
                i.setPermissions(m);
            }
        }
    }

    /**
     * utimensat(2) core. {@code times} null means both now, which needs ownership or write permission (EACCES);
     * explicit times need ownership (EPERM). Each nsec may be UTIME_NOW or UTIME_OMIT.
     */
    public void utimens(Task t, VirtualDentry vd, long[] times) {
        Inode i = vd.inode();
        Credentials c = t.creds();
        boolean bothOmit = times != null && times[1] == UTIME_OMIT && times[3] == UTIME_OMIT;
        if (bothOmit) {
            return;
        }
        writableMount(vd);
        boolean onlyNow = times == null || ((times[1] == UTIME_NOW || times[1] == UTIME_OMIT)
                && (times[3] == UTIME_NOW || times[3] == UTIME_OMIT));
        if (!owner(c, i)) {
            if (!onlyNow) {
                throw Errno.EPERM.exception();
            }
            if (i.permission(c, Fcntl.W_OK) != 0) {
                throw Errno.EACCES.exception();
            }
        }
        long now = Inode.now();
        long a = times == null ? now : pick(times[0], times[1], now, i.atimeNs());
        long m = times == null ? now : pick(times[2], times[3], now, i.mtimeNs());
        i.setTimes(a, m);
    }

    private static long pick(long sec, long nsec, long now, long old) {
        if (nsec == UTIME_NOW) {
            return now;
        }
        if (nsec == UTIME_OMIT) {
            return old;
        }
        return sec * 1_000_000_000L + nsec;
    }

    /** statfs(2) core: the filesystem's statistics, with ST_RDONLY on a read-only mount. */
    public static StatFs statfs(VirtualDentry vd) {
        StatFs s = vd.inode().statfs();
        return vd.mount().readonly() ? s.readonly() : s;
    }
}
