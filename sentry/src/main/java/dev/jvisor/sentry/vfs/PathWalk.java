package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;
import java.util.ArrayDeque;

/**
 * One path resolution: walks components from a start, checks search permission on each directory, follows
 * symlinks (at most {@link VirtualFilesystem#MAXSYMLINKS} per resolution, counted across re-walks), keeps ".."
 * inside the root, and crosses mounts both ways. Owned by the calling thread; used once.
 */
final class PathWalk {
    private final VirtualFilesystem vfs;
    final Task task;
    final Credentials creds;
    final VirtualDentry root;
    int links;
    /** After {@link #walk} in parent mode: the last component (never empty; "." for "/"). */
    String last;
    /** The path ended with '/', or a final symlink's target did: the result must be a directory. */
    boolean mustBeDir;

    PathWalk(VirtualFilesystem vfs, Task task, Credentials creds, VirtualDentry root) {
        this.vfs = vfs;
        this.task = task;
        this.creds = creds;
        this.root = root;
    }

    /**
     * Resolves {@code path} from {@code start}. In parent mode stops before the last component, stores it in
     * {@link #last} and returns its directory; otherwise returns the file, following a final symlink only when
     * {@code followFinal} (or when a trailing slash demands a directory).
     */
    VirtualDentry walk(VirtualDentry start, String path, boolean followFinal, boolean parentMode) {
        if (path.isEmpty()) {
            throw Errno.ENOENT.exception();
        }
        if (VirtualFilesystem.pathTooLong(path)) {
            throw Errno.ENAMETOOLONG.exception();
        }
        ArrayDeque<String> comps = new ArrayDeque<>();
        split(path, comps, false);
        mustBeDir = path.charAt(path.length() - 1) == '/';
        VirtualDentry cur = path.charAt(0) == '/' ? root : start;
        if (comps.isEmpty()) {
            // "/" or "///": the root itself.
            last = ".";
            return cur;
        }
        while (!comps.isEmpty()) {
            String name = comps.pollFirst();
            boolean isLast = comps.isEmpty();
            if (VirtualFilesystem.nameTooLong(name)) {
                throw Errno.ENAMETOOLONG.exception();
            }
            Inode dir = cur.inode();
            if (!dir.isDir()) {
                throw Errno.ENOTDIR.exception();
            }
            if (dir.permission(creds, Fcntl.X_OK) != 0) {
                throw Errno.EACCES.exception();
            }
            if (isLast && parentMode) {
                last = name;
                return cur;
            }
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                cur = dotdot(cur);
                continue;
            }
            VirtualDentry next = vfs.crossMounts(new VirtualDentry(cur.mount(), cur.dentry().lookup(name)));
            if (next.inode().isSymlink() && (!isLast || followFinal || mustBeDir)) {
                VirtualDentry jump = jump(next);
                if (jump != null) {
                    cur = jump;
                    continue;
                }
                String target = readlink(next);
                if (isLast && target.charAt(target.length() - 1) == '/') {
                    mustBeDir = true;
                }
                split(target, comps, true);
                if (target.charAt(0) == '/') {
                    cur = root;
                }
                continue;
            }
            cur = next;
        }
        if (mustBeDir && !cur.inode().isDir()) {
            throw Errno.ENOTDIR.exception();
        }
        return cur;
    }

    /** Reads a symlink being followed, counting it: ELOOP past the limit, ENOENT for an empty target. */
    String readlink(VirtualDentry link) {
        if (++links > VirtualFilesystem.MAXSYMLINKS) {
            throw Errno.ELOOP.exception();
        }
        String target = link.inode().readlink(task);
        if (target.isEmpty()) {
            throw Errno.ENOENT.exception();
        }
        if (VirtualFilesystem.pathTooLong(target)) {
            throw Errno.ENAMETOOLONG.exception();
        }
        return target;
    }

    /**
     * The file a magic link (/proc/pid/fd/N, cwd, root) stands for, counted as a followed link; null for an
     * ordinary symlink.
     */
    VirtualDentry jump(VirtualDentry link) {
        VirtualDentry target = link.inode().jumpTarget(task);
        if (target != null && ++links > VirtualFilesystem.MAXSYMLINKS) {
            throw Errno.ELOOP.exception();
        }
        return target;
    }

    /** "..": stays at the root, climbs out of mount roots to their mountpoints, then to the parent. */
    VirtualDentry dotdot(VirtualDentry cur) {
        while (true) {
            if (cur.equals(root)) {
                return cur;
            }
            Mount m = cur.mount();
            if (cur.dentry() == m.root()) {
                if (m.parent() == null) {
                    return cur;
                }
                cur = new VirtualDentry(m.parent(), m.mountpoint());
                continue;
            }
            return vfs.crossMounts(new VirtualDentry(m, cur.dentry().parent()));
        }
    }

    /** Splits {@code path} into components (empty ones dropped), appended, or prepended in order. */
    private static void split(String path, ArrayDeque<String> out, boolean prepend) {
        ArrayDeque<String> tmp = prepend ? new ArrayDeque<>() : out;
        int n = path.length();
        int i = 0;
        while (i < n) {
            while (i < n && path.charAt(i) == '/') {
                i++;
            }
            int j = i;
            while (j < n && path.charAt(j) != '/') {
                j++;
            }
            if (j > i) {
                tmp.addLast(path.substring(i, j));
            }
            i = j;
        }
        if (prepend) {
            while (!tmp.isEmpty()) {
                out.addFirst(tmp.pollLast());
            }
        }
    }
}
