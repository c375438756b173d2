package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A tmpfs directory: a sorted map from name to inode, guarded by this. */
public final class TmpfsDirectory extends Inode {
    private final TreeMap<String, Inode> entries = new TreeMap<>();

    public TmpfsDirectory(Filesystem fs, int perm, int uid, int gid) {
        super(fs, fs.nextIno(), FileMode.S_IFDIR | (perm & 07777), uid, gid);
    }

    @Override
    public synchronized Inode lookup(String name) {
        Inode i = entries.get(name);
        if (i == null) {
            throw Errno.ENOENT.exception();
        }
        return i;
    }

    @Override
    public synchronized List<DirEntry> readdir() {
        List<DirEntry> out = new ArrayList<>(entries.size());
        for (Map.Entry<String, Inode> e : entries.entrySet()) {
            out.add(new DirEntry(e.getKey(), e.getValue().ino(), FileMode.dtype(e.getValue().mode())));
        }
        return out;
    }

    @Override
    public synchronized Inode create(String name, int perm, int uid, int gid) {
        return add(name, new TmpfsFile(filesystem(), perm, uid, gid));
    }

    @Override
    public synchronized Inode mkdir(String name, int perm, int uid, int gid) {
        Inode d = add(name, new TmpfsDirectory(filesystem(), perm, uid, gid));
        nlink++;
        return d;
    }

    @Override
    public synchronized Inode symlink(String name, String target, int uid, int gid) {
        return add(name, new TmpfsSymlink(filesystem(), target, uid, gid));
    }

    @Override
    public synchronized Inode link(String name, Inode target) {
        if (target.filesystem() != filesystem()) {
            throw Errno.EXDEV.exception();
        }
        add(name, target);
        changeLinks(target, 1);
        return target;
    }

    @Override
    public synchronized void unlink(String name, Inode child) {
        take(name, child);
        changeLinks(child, -1);
    }

    @Override
    public void rmdir(String name, Inode child) {
        synchronized (this) {
            if (!(child instanceof TmpfsDirectory d) || !d.isEmpty()) {
                throw (child.isDir() ? Errno.ENOTEMPTY : Errno.ENOTDIR).exception();
            }
            take(name, child);
            changeLinks(this, -1);
        }
        changeLinks(child, -2);
    }

    private synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Removes {@code name}, which must still be {@code child} (ENOENT if it changed meanwhile). */
    private void take(String name, Inode child) {
        if (entries.get(name) != child) {
            throw Errno.ENOENT.exception();
        }
        entries.remove(name);
        touchModified();
    }

    @Override
    public void rename(String name, Inode child, Inode newDir, String newName, Inode replaced, int flags) {
        if (!(newDir instanceof TmpfsDirectory to) || newDir.filesystem() != filesystem()) {
            throw Errno.EXDEV.exception();
        }
        if ((flags & ~1) != 0) {
            // RENAME_NOREPLACE (1) was checked by the VFS under its rename lock; EXCHANGE and WHITEOUT: not here.
            throw Errno.EINVAL.exception();
        }
        // One lock per filesystem orders the two directory monitors (Linux's s_vfs_rename_mutex).
        synchronized (filesystem()) {
            synchronized (this) {
                synchronized (to) {
                    if (entries.get(name) != child || to.entries.get(newName) != replaced) {
                        throw Errno.ENOENT.exception();
                    }
                    if (replaced instanceof TmpfsDirectory rd && !rd.isEmpty()) {
                        throw Errno.ENOTEMPTY.exception();
                    }
                    entries.remove(name);
                    to.entries.put(newName, child);
                    touchModified();
                    to.touchModified();
                    if (child.isDir() && to != this) {
                        changeLinks(this, -1);
                        changeLinks(to, 1);
                    }
                    if (replaced != null) {
                        changeLinks(replaced, replaced.isDir() ? -2 : -1);
                        if (replaced.isDir()) {
                            changeLinks(to, -1);
                        }
                    }
                }
            }
        }
    }

    /** Removes {@code name} added by {@link #add}, if it is still {@code inode} (ENOENT if not). */
    public synchronized void remove(String name, Inode inode) {
        take(name, inode);
    }

    /** Adds an inode made elsewhere (a device node) under {@code name}. EEXIST if taken. */
    public synchronized Inode add(String name, Inode inode) {
        if (entries.containsKey(name)) {
            throw Errno.EEXIST.exception();
        }
        entries.put(name, inode);
        touchModified();
        return inode;
    }

    /** Linux's tmpfs counts a made-up 20 bytes per entry, "." and ".." included. */
    static final int BOGO_DIRENT_SIZE = 20;

    @Override
    public synchronized long size() {
        return (2L + entries.size()) * BOGO_DIRENT_SIZE;
    }

    @Override
    public void stat(dev.jvisor.sentry.vfs.Kstat st) {
        super.stat(st);
        st.blocks = 0;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        throw new AssertionError("directories are opened by the VFS");
    }
}
