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

    /** Releases {@code fid} at the gofer. */
    void clunk(Fid fid);

    /** Closes the connection; the gofer exits when its last connection closes. */
    @Override
    void close();

    /** A handle on a file at the gofer, with the attributes it had when walked. */
    record Fid(long id, FileAttr attr) {}

    /** One directory entry. {@code type} is a d_type value. */
    record Dirent(String name, long ino, int type) {}

    /** The fields of struct stat that the sentry uses. Times are nanoseconds since the epoch. */
    record FileAttr(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size, long blksize,
                    long blocks, long atimeNs, long mtimeNs, long ctimeNs) {}
}
