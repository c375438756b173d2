package dev.jvisor.gofer.client;

import java.util.List;

/**
 * The sentry's side of the gofer protocol: walk, stat, open (the host FD comes back over SCM_RIGHTS), readlink
 * and getdents on files the gofer serves. Files are named by {@link Fid}s, handles the gofer holds open.
 *
 * <p>Every method throws {@link dev.jvisor.abi.ErrnoException} carrying the errno the host gave (ENOENT, EACCES,
 * ENOTDIR, ELOOP for a symlink where one is not allowed...), and {@link GoferException} when the connection
 * itself fails. Thread-safe: several task threads may call at once.
 */
public interface GoferClient extends AutoCloseable {
    /** The root of the served tree (the container's rootfs, or "/" for {@code do}). */
    Fid root();

    /**
     * Walks one component {@code name} (no '/', not "." or "..") from directory {@code dir}. Never follows a
     * symlink: a symlink is returned as a Fid with a symlink mode. Throws ENOENT when absent.
     */
    Fid walk(Fid dir, String name);

    /** Walks several components; stops at the first missing one and returns the Fids walked so far. */
    List<Fid> walkMany(Fid dir, List<String> names);

    /** Current attributes of {@code fid}. */
    FileAttr stat(Fid fid);

    /**
     * Opens {@code fid} for I/O with open(2) flags ({@code O_RDONLY}, {@code O_DIRECTORY}...; never O_CREAT) and
     * returns a host FD the caller owns and must close.
     */
    int open(Fid fid, int flags);

    /** The target of symlink {@code fid}. */
    String readlink(Fid fid);

    /** Every entry of directory {@code dir}, "." and ".." excluded. */
    List<Dirent> readdir(Fid dir);

    /** The root of mount {@code mount}: 0 is the root, 1.. the binds the gofer was started with. */
    Fid attach(int mount);

    /**
     * Creates regular file {@code name} in {@code dir} exclusively (EEXIST if present) and opens it with open(2)
     * {@code flags} (access mode, O_APPEND...). The new file is given {@code uid}/{@code gid} when the gofer may
     * chown. The returned host fd belongs to the caller.
     */
    Created create(Fid dir, String name, int flags, int mode, int uid, int gid);

    /** mkdir(2) of {@code name} in {@code dir}. */
    Fid mkdir(Fid dir, String name, int mode, int uid, int gid);

    /** symlink(2): {@code name} in {@code dir} pointing at {@code target}. */
    Fid symlink(Fid dir, String name, String target, int uid, int gid);

    /** link(2): a new name {@code name} in {@code dir} for {@code file} (EXDEV across mounts). */
    Fid link(Fid file, Fid dir, String name);

    /** unlinkat(2) of {@code name} in {@code dir}; {@code flags} 0 or AT_REMOVEDIR. */
    void unlink(Fid dir, String name, int flags);

    /** renameat2(2) of {@code oldName} in {@code oldDir} to {@code newName} in {@code newDir} (EXDEV across mounts). */
    void rename(Fid oldDir, String oldName, Fid newDir, String newName, int flags);

    /** Changes the attributes {@code s.mask()} names; returns the attributes after the change. */
    FileAttr setStat(Fid fid, SetStat s);

    /** fstatfs(2) of the host filesystem holding {@code fid}: the 120 bytes of struct statfs. */
    byte[] statfs(Fid fid);

    /** Releases {@code fid} at the gofer. */
    void clunk(Fid fid);

    /** Closes the connection; the gofer exits when its last connection closes. */
    @Override
    void close();

    /** A file made by {@link #create}: its fid and the host fd open on it. */
    record Created(Fid fid, int fd) {}

    /**
     * What {@link #setStat} changes: the {@code mask} bits of {@link dev.jvisor.gofer.wire.Protocol} (SET_MODE,
     * SET_UID, SET_GID, SET_SIZE, SET_ATIME, SET_MTIME) say which fields count. Times are timespecs whose nsec may
     * be UTIME_NOW.
     */
    record SetStat(int mask, int mode, int uid, int gid, long size, long atimeSec, long atimeNsec, long mtimeSec,
                   long mtimeNsec) {}

    /** A handle on a file at the gofer, with the attributes it had when walked. */
    record Fid(long id, FileAttr attr) {}

    /** One directory entry. {@code type} is a d_type value. */
    record Dirent(String name, long ino, int type) {}

    /** The fields of struct stat that the sentry uses. Times are nanoseconds since the epoch. */
    record FileAttr(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size, long blksize,
                    long blocks, long atimeNs, long mtimeNs, long ctimeNs) {}
}
