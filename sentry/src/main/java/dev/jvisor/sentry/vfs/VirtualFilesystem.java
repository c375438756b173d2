package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Log;
import dev.jvisor.gofer.client.GoferClient;
import dev.jvisor.sentry.fs.dev.DevFilesystem;
import dev.jvisor.sentry.fs.gofer.GoferFilesystem;
import dev.jvisor.sentry.fs.overlay.OverlayFilesystem;
import dev.jvisor.sentry.fs.proc.ProcFilesystem;
import dev.jvisor.sentry.fs.sys.SysFilesystem;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The sandbox's mount tree and path resolution. Paths and names are Java strings decoded from the workload's
 * bytes with {@link #NAME_CHARSET} (as MemoryManager.readCString and the gofer wire do); limits are checked on
 * the encoded byte length.
 */
public final class VirtualFilesystem {
    /** Longest path, NUL included (linux/limits.h). */
    public static final int PATH_MAX = 4096;
    /** Longest name of one component. */
    public static final int NAME_MAX = 255;
    /** Symlinks followed in one resolution before ELOOP. */
    public static final int MAXSYMLINKS = 40;

    /**
     * How names are turned into bytes and back, everywhere (mm's readCString and the gofer use it too). UTF-8
     * loses names that are not valid UTF-8; switching all three to ISO-8859-1 would keep every byte.
     */
    public static final Charset NAME_CHARSET = StandardCharsets.UTF_8;

    private static final Credentials KERNEL_CREDS = new Credentials(0, 0, new int[0]);

    private final Mount rootMount;
    // Keyed by the covered (mount, dentry); the value is the mount on top.
    private final ConcurrentHashMap<VirtualDentry, Mount> mountsByPoint = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Mount> mounts = new CopyOnWriteArrayList<>();
    private volatile ProcFilesystem procfs;
    private final Namei namei = new Namei(this);
    private volatile DevFilesystem devfs;
    // Files with no place in the tree (host fds, later pipes and sockets) get dentries here when reopened.
    private final Mount anonMount = new Mount(AnonFilesystem.INSTANCE, null, null, false, "anon");

    public VirtualFilesystem(Filesystem rootFs, String source, boolean readonly) {
        rootMount = new Mount(rootFs, null, null, readonly, source);
        mounts.add(rootMount);
    }

    /**
     * The filesystem of a sandbox: the root (an overlay of a tmpfs over the gofer's tree, or the gofer's tree
     * alone, which is read-only for now), with the sentry's own dev at /dev, proc at /proc and a read-only sys
     * at /sys. Missing mountpoints are created in the overlay's upper layer; without an overlay they are
     * skipped (and logged).
     */
    public static VirtualFilesystem forSandbox(GoferClient gofer, boolean overlay, boolean readonly) {
        GoferFilesystem lower = new GoferFilesystem(gofer);
        VirtualFilesystem vfs;
        if (overlay) {
            vfs = new VirtualFilesystem(new OverlayFilesystem(lower, new TmpfsFilesystem()), "overlay", readonly);
        } else {
            // The gofer protocol has no write operations yet: without an overlay the root is read-only.
            vfs = new VirtualFilesystem(lower, "rootfs", true);
        }
        ProcFilesystem proc = new ProcFilesystem(vfs);
        vfs.procfs = proc;
        vfs.devfs = new DevFilesystem();
        vfs.mountAt("/dev", vfs.devfs, false, "none", overlay);
        vfs.mountAt("/proc", proc, false, "proc", overlay);
        vfs.mountAt("/sys", new SysFilesystem(), true, "sysfs", overlay);
        return vfs;
    }

    /** unlink, rmdir, rename, link, symlink, truncate, chmod, chown, utimes, statfs. */
    public Namei namei() {
        return namei;
    }

    /** The dev filesystem mounted by {@link #forSandbox}, or null. */
    public DevFilesystem devfs() {
        return devfs;
    }

    /** The procfs mounted by {@link #forSandbox}, or null. */
    public ProcFilesystem procfs() {
        return procfs;
    }

    /**
     * A path for a file with no place in the tree, so that it can be opened again through a magic link
     * (/proc/self/fd/N of a host fd or a pipe). Its pathname is just {@code name}.
     */
    public VirtualDentry anonymous(Inode inode, String name) {
        return new VirtualDentry(anonMount, new Dentry(name, anonMount.root(), inode));
    }

    /** The root of the mount tree. */
    public VirtualDentry root() {
        return new VirtualDentry(rootMount, rootMount.root());
    }

    /** A fresh fs context rooted at the tree's root, with {@code cwd} (absolute) as the working directory. */
    public FsContext newFsContext(String cwd, int umask) {
        VirtualDentry r = crossMounts(root());
        PathWalk w = new PathWalk(this, null, KERNEL_CREDS, r);
        VirtualDentry c = w.walk(r, cwd, true, false);
        if (!c.inode().isDir()) {
            throw Errno.ENOTDIR.exception();
        }
        return new FsContext(r, c, umask);
    }

    // ---- mounts ---------------------------------------------------------------------------------------------

    /**
     * Mounts {@code fs} over {@code at}: a directory over a directory, or (a file bind) a non-directory over a
     * non-directory. ENOTDIR when the kinds differ, as mount(2) answers for a bind.
     */
    public Mount mount(VirtualDentry at, Filesystem fs, boolean readonly, String source) {
        return mount(at, fs, readonly ? Mount.MS_RDONLY : 0, source);
    }

    /** {@link #mount} with MS_* {@code flags} (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC). */
    public Mount mount(VirtualDentry at, Filesystem fs, int flags, String source) {
        if (at.inode().isDir() != fs.root().inode().isDir()) {
            throw Errno.ENOTDIR.exception();
        }
        synchronized (this) {
            VirtualDentry top = crossMounts(at);
            Mount m = new Mount(fs, top.mount(), top.dentry(), flags, source);
            mountsByPoint.put(top, m);
            top.dentry().markMountedOn();
            mounts.add(m);
            return m;
        }
    }

    /** Every mount, in mount order (for /proc/mounts). */
    public List<Mount> mounts() {
        return new ArrayList<>(mounts);
    }

    private void mountAt(String path, Filesystem fs, boolean readonly, String source, boolean mayCreate) {
        try {
            mountAtPath(path, fs, readonly, source, mayCreate);
        } catch (ErrnoException e) {
            Log.warn("vfs: cannot mount " + fs.type() + " at " + path + ": " + e.errno());
        }
    }

    /**
     * Mounts {@code fs} at the absolute {@code path}, creating missing directories on the way when
     * {@code mayCreate} (as runc does for a mount's destination; the last one is an empty file when {@code fs}'s
     * root is a file). Throws the errno that stopped it.
     */
    public Mount mountAtPath(String path, Filesystem fs, boolean readonly, String source, boolean mayCreate) {
        return mountAtPath(path, fs, readonly ? Mount.MS_RDONLY : 0, source, mayCreate);
    }

    /** {@link #mountAtPath} with MS_* {@code flags}. */
    public Mount mountAtPath(String path, Filesystem fs, int flags, String source, boolean mayCreate) {
        VirtualDentry r = root();
        PathWalk w = new PathWalk(this, null, KERNEL_CREDS, r);
        VirtualDentry at;
        try {
            at = w.walk(r, path, true, false);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT || !mayCreate) {
                throw e;
            }
            at = r;
            java.util.ArrayDeque<String> names = new java.util.ArrayDeque<>();
            prependComponents(path, names);
            int links = 0;
            while (!names.isEmpty()) {
                String name = names.pollFirst();
                boolean last = names.isEmpty();
                try {
                    at = new PathWalk(this, null, KERNEL_CREDS, r).walk(at, name, true, false);
                } catch (ErrnoException missing) {
                    if (missing.errno() != Errno.ENOENT) {
                        throw missing;
                    }
                    Dentry link = lookupOrNull(at.dentry(), name);
                    if (link != null && link.inode().isSymlink()) {
                        // A dangling symlink: make what it points to, resolved in the sandbox's own tree (runc
                        // does the same with the rootfs as root).
                        if (++links > MAXSYMLINKS) {
                            throw Errno.ELOOP.exception();
                        }
                        String target = link.inode().readlink(null);
                        prependComponents(target, names);
                        if (target.startsWith("/")) {
                            at = r;
                        }
                        continue;
                    }
                    Inode made = last && !fs.root().inode().isDir()
                            ? at.inode().create(name, 0644, 0, 0) : at.inode().mkdir(name, 0755, 0, 0);
                    at = new VirtualDentry(at.mount(), at.dentry().added(name, made));
                }
            }
        }
        return mount(at, fs, flags, source);
    }

    /** Puts the non-empty components of {@code path} in front of {@code out}, in order. */
    private static void prependComponents(String path, java.util.ArrayDeque<String> out) {
        String[] parts = path.split("/");
        for (int k = parts.length - 1; k >= 0; k--) {
            if (!parts[k].isEmpty()) {
                out.addFirst(parts[k]);
            }
        }
    }

    /** The encoded length of {@code s} in bytes. */
    static int byteLength(String s) {
        int n = s.length();
        // Most names are ASCII: skip encoding when no char can take more than one byte.
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(NAME_CHARSET).length;
            }
        }
        return n;
    }

    /** A component longer than NAME_MAX bytes. */
    static boolean nameTooLong(String name) {
        return name.length() > NAME_MAX || (name.length() * 3 > NAME_MAX && byteLength(name) > NAME_MAX);
    }

    /** A path of PATH_MAX bytes or more (no room for the NUL). */
    static boolean pathTooLong(String path) {
        return path.length() >= PATH_MAX || (path.length() * 3 >= PATH_MAX && byteLength(path) >= PATH_MAX);
    }

    /** Whether something is mounted on {@code vd} (unlink, rmdir and rename of it are EBUSY). */
    boolean isMountpoint(VirtualDentry vd) {
        return vd.dentry().mountedOn() && mountsByPoint.containsKey(vd);
    }

    /** Steps from a covered dentry to the root of what is mounted on it, repeatedly. */
    VirtualDentry crossMounts(VirtualDentry vd) {
        while (vd.dentry().mountedOn()) {
            Mount m = mountsByPoint.get(vd);
            if (m == null) {
                break;
            }
            vd = new VirtualDentry(m, m.root());
        }
        return vd;
    }

    // ---- resolution -----------------------------------------------------------------------------------------

    /**
     * Where a relative {@code path} starts for the *at calls: the cwd for AT_FDCWD, else the directory open as
     * {@code dirfd} (EBADF if none, ENOTDIR if not a directory). An absolute path ignores dirfd.
     */
    public VirtualDentry start(Task t, int dirfd, String path) {
        if (!path.isEmpty() && path.charAt(0) == '/') {
            return t.fs().root();
        }
        if (dirfd == Fcntl.AT_FDCWD) {
            return t.fs().cwd();
        }
        FileDescription f = t.fdTable().get(dirfd);
        if (f == null) {
            throw Errno.EBADF.exception();
        }
        try {
            VirtualDentry vd = f.path();
            if (vd == null || !vd.inode().isDir()) {
                throw Errno.ENOTDIR.exception();
            }
            return vd;
        } finally {
            f.decRef();
        }
    }

    /** Resolves {@code path} for {@code t} from {@code start}; a final symlink is followed when {@code follow}. */
    public VirtualDentry resolve(Task t, VirtualDentry start, String path, boolean follow) {
        return walker(t).walk(start, path, follow, false);
    }

    /** Resolves {@code path} relative to {@code dirfd} as the *at calls do. */
    public VirtualDentry resolveAt(Task t, int dirfd, String path, boolean follow) {
        return resolve(t, start(t, dirfd, path), path, follow);
    }

    PathWalk walker(Task t) {
        return new PathWalk(this, t, t.creds(), t.fs().root());
    }

    /** Reads the symlink {@code vd} as readlink(2) does: EINVAL when it is not one. */
    public String readlink(Task t, VirtualDentry vd) {
        if (!vd.inode().isSymlink()) {
            throw Errno.EINVAL.exception();
        }
        return vd.inode().readlink(t);
    }

    /**
     * access(2) core: checks {@code mode} (F_OK or R_OK|W_OK|X_OK) on {@code vd} as {@code uid}/{@code gid}.
     * W_OK fails with EROFS on a read-only mount for files, directories and symlinks.
     */
    public long access(VirtualDentry vd, int mode, int uid, int gid, int[] groups) {
        if (mode == Fcntl.F_OK) {
            return 0;
        }
        Inode i = vd.inode();
        if ((mode & Fcntl.W_OK) != 0 && vd.mount().readonly() && !isDevice(i.mode())) {
            return Errno.EROFS.ret();
        }
        return i.permission(uid, gid, groups, mode);
    }

    private static boolean isDevice(int mode) {
        int type = mode & FileMode.S_IFMT;
        return type == FileMode.S_IFCHR || type == FileMode.S_IFBLK || type == FileMode.S_IFIFO
                || type == FileMode.S_IFSOCK;
    }

    /** stat(2) core for a resolved path: the inode's attributes plus the mount's identity. */
    public static void stat(VirtualDentry vd, Kstat st) {
        vd.inode().stat(st);
        st.mountId = vd.mount().id();
        st.mountRoot = vd.dentry() == vd.mount().root();
    }

    // ---- open -----------------------------------------------------------------------------------------------

    /**
     * openat(2) core: resolves {@code path} relative to {@code dirfd} and opens it with open(2) {@code flags};
     * {@code mode} gives the permissions of a file O_CREAT makes (before the umask). Throws the errno.
     */
    public FileDescription open(Task t, int dirfd, String path, int flags, int mode) {
        return open(t, start(t, dirfd, path), path, flags, mode);
    }

    /** open(2) from an explicit starting directory. */
    public FileDescription open(Task t, VirtualDentry start, String path, int flags, int mode) {
        if ((flags & Fcntl.O_TMPFILE) == Fcntl.O_TMPFILE) {
            throw Errno.EOPNOTSUPP.exception();
        }
        if ((flags & (Fcntl.O_CREAT | Fcntl.O_DIRECTORY)) == (Fcntl.O_CREAT | Fcntl.O_DIRECTORY)) {
            // Linux 6.4 and later refuse the combination outright.
            throw Errno.EINVAL.exception();
        }
        PathWalk w = walker(t);
        boolean follow = (flags & Fcntl.O_NOFOLLOW) == 0;
        boolean isPath = (flags & Fcntl.O_PATH) != 0;
        if (isPath) {
            flags &= Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;
        }
        VirtualDentry vd;
        boolean created = false;
        if ((flags & Fcntl.O_CREAT) != 0 && !isPath) {
            while (true) {
                VirtualDentry dir = w.walk(start, path, follow, true);
                String name = w.last;
                // O_CREAT on "." or "..", or on a path with a trailing slash, names a directory: EISDIR,
                // whether or not the file exists.
                if (name.equals(".") || name.equals("..") || w.mustBeDir) {
                    throw Errno.EISDIR.exception();
                }
                Dentry existing = lookupOrNull(dir.dentry(), name);
                if (existing == null) {
                    vd = create(w, dir, name, mode);
                    created = true;
                    break;
                }
                if ((flags & Fcntl.O_EXCL) != 0) {
                    throw Errno.EEXIST.exception();
                }
                vd = crossMounts(new VirtualDentry(dir.mount(), existing));
                if (vd.inode().isSymlink()) {
                    if (!follow) {
                        throw Errno.ELOOP.exception();
                    }
                    VirtualDentry jump = w.jump(vd);
                    if (jump != null) {
                        vd = jump;
                        if (vd.inode().isDir()) {
                            throw Errno.EISDIR.exception();
                        }
                        break;
                    }
                    // Re-walk the target from the link's directory; a dangling link creates its target.
                    path = w.readlink(vd);
                    start = dir;
                    continue;
                }
                if (vd.inode().isDir()) {
                    throw Errno.EISDIR.exception();
                }
                break;
            }
        } else {
            vd = w.walk(start, path, follow, false);
        }
        return openResolved(w.creds, vd, flags, created);
    }

    static Dentry lookupOrNull(Dentry dir, String name) {
        try {
            return dir.lookup(name);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    private VirtualDentry create(PathWalk w, VirtualDentry dir, String name, int mode) {
        if (nameTooLong(name)) {
            throw Errno.ENAMETOOLONG.exception();
        }
        if (dir.mount().readonly()) {
            throw Errno.EROFS.exception();
        }
        if (dir.inode().permission(w.creds, Fcntl.W_OK | Fcntl.X_OK) != 0) {
            throw Errno.EACCES.exception();
        }
        int umask = w.task != null ? w.task.fs().umask() : 022;
        Inode made;
        synchronized (dir.dentry()) {
            made = dir.inode().create(name, mode & ~umask & 07777, w.creds.fsuid, newGid(w.creds, dir.inode()));
        }
        return new VirtualDentry(dir.mount(), dir.dentry().added(name, made));
    }

    /** A new file's group: the directory's when it is set-group-ID, else the creator's fsgid. */
    static int newGid(Credentials c, Inode dir) {
        return (dir.mode() & FileMode.S_ISGID) != 0 ? dir.gid() : c.fsgid;
    }

    /**
     * mkdir(2) core, also used to build the tree. Throws EEXIST, EROFS, EACCES, ENOENT for a missing parent.
     */
    public VirtualDentry mkdir(Task t, VirtualDentry start, String path, int mode) {
        PathWalk w = walker(t);
        VirtualDentry dir = w.walk(start, path, true, true);
        String name = w.last;
        if (name.equals(".") || name.equals("..") || lookupOrNull(dir.dentry(), name) != null) {
            throw Errno.EEXIST.exception();
        }
        if (nameTooLong(name)) {
            throw Errno.ENAMETOOLONG.exception();
        }
        if (dir.mount().readonly()) {
            throw Errno.EROFS.exception();
        }
        if (dir.inode().permission(w.creds, Fcntl.W_OK | Fcntl.X_OK) != 0) {
            throw Errno.EACCES.exception();
        }
        Inode made;
        synchronized (dir.dentry()) {
            made = dir.inode().mkdir(name, mode & ~t.fs().umask() & 07777, w.creds.fsuid,
                    newGid(w.creds, dir.inode()));
        }
        return new VirtualDentry(dir.mount(), dir.dentry().added(name, made));
    }

    /** Opens an already resolved file with open(2) flags, checking type, permissions and EROFS. */
    private FileDescription openResolved(Credentials c, VirtualDentry vd, int flags, boolean created) {
        Inode i = vd.inode();
        if ((flags & Fcntl.O_DIRECTORY) != 0 && !i.isDir()) {
            throw Errno.ENOTDIR.exception();
        }
        if ((flags & Fcntl.O_PATH) != 0) {
            return new PathFileDescription(vd, flags);
        }
        if (i.isSymlink()) {
            throw Errno.ELOOP.exception();
        }
        int acc = flags & Fcntl.O_ACCMODE;
        boolean trunc = (flags & Fcntl.O_TRUNC) != 0;
        boolean write = acc != Fcntl.O_RDONLY || trunc;
        if (i.isDir() && (acc != Fcntl.O_RDONLY || (flags & Fcntl.O_CREAT) != 0)) {
            throw Errno.EISDIR.exception();
        }
        if (write && vd.mount().readonly() && !isDevice(i.mode())) {
            throw Errno.EROFS.exception();
        }
        if (!created) {
            int may = (acc == Fcntl.O_RDONLY || acc == Fcntl.O_RDWR || acc == Fcntl.O_ACCMODE ? Fcntl.R_OK : 0)
                    | (write ? Fcntl.W_OK : 0);
            if (i.permission(c, may) != 0) {
                throw Errno.EACCES.exception();
            }
        }
        FileDescription fd = i.isDir() ? new DirectoryFileDescription(vd, flags) : i.open(vd, flags);
        if (trunc && !created && i.isRegular()) {
            try {
                i.truncate(0);
            } catch (ErrnoException e) {
                fd.decRef();
                throw e;
            }
        }
        return fd;
    }

    /**
     * Opens {@code path} for execve(2): it must be a regular file with execute permission (EACCES otherwise),
     * and is opened read-only whatever its read bits say, as the kernel does.
     */
    public FileDescription openExecutable(Task t, VirtualDentry start, String path) {
        VirtualDentry vd = walker(t).walk(start, path, true, false);
        Inode i = vd.inode();
        if (i.isDir()) {
            throw Errno.EACCES.exception();
        }
        if (!i.isRegular() || vd.mount().noexec()) {
            throw Errno.EACCES.exception();
        }
        if (i.permission(t.creds(), Fcntl.X_OK) != 0) {
            throw Errno.EACCES.exception();
        }
        return i.open(vd, Fcntl.O_RDONLY);
    }

    // ---- names ----------------------------------------------------------------------------------------------

    /**
     * The absolute path of {@code vd} as seen from {@code root} (getcwd, /proc links). A file outside that root
     * gets the "(unreachable)" prefix Linux uses.
     */
    public String pathname(VirtualDentry vd, VirtualDentry root) {
        if (vd.mount() == anonMount) {
            return vd.dentry().name();
        }
        List<String> names = new ArrayList<>();
        VirtualDentry cur = vd;
        boolean reachable = true;
        while (!cur.equals(root)) {
            Mount m = cur.mount();
            if (cur.dentry() == m.root()) {
                if (m.parent() == null) {
                    reachable = false;
                    break;
                }
                cur = new VirtualDentry(m.parent(), m.mountpoint());
                continue;
            }
            names.add(cur.dentry().name());
            cur = new VirtualDentry(m, cur.dentry().parent());
        }
        StringBuilder sb = new StringBuilder(reachable ? "" : "(unreachable)");
        for (int k = names.size() - 1; k >= 0; k--) {
            sb.append('/').append(names.get(k));
        }
        return sb.isEmpty() || !reachable && names.isEmpty() ? sb.append('/').toString() : sb.toString();
    }
}
