package dev.jvisor.gofer.wire;

/**
 * The gofer wire protocol: constants shared by the server and the client.
 *
 * <p>Every message is one frame, little-endian: {@code u32 length} (of the whole frame, header included),
 * {@code u32 id}, then {@code u32 type} in a request or {@code u32 status} in a reply (0 = success, otherwise a
 * Linux errno and no payload), then the payload. A reply carries the id of its request. One request is in
 * flight at a time per connection; the client serializes its callers. The reply to {@link #OPEN} carries the
 * opened host FD as an SCM_RIGHTS control message on its first byte.
 *
 * <p>Payloads ({@code name} = {@code u16 len} + UTF-8 bytes; {@code attr} = {@link #ATTR_SIZE} bytes: 13
 * {@code i64}: dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks, atime, mtime, ctime in ns):
 * <pre>
 * ATTACH     u32 mount                  -> u64 fid, attr     mount 0 = the root, 1.. = the binds in order
 * WALK       u64 fid, name              -> u64 fid, attr
 * WALK_MANY  u64 fid, u16 n, name * n   -> u16 m, (u64 fid, attr) * m     m &lt;= n: stops at ENOENT or after a symlink
 * STAT       u64 fid                    -> attr
 * OPEN       u64 fid, u32 flags         -> ()  + SCM_RIGHTS fd
 * READLINK   u64 fid                    -> u32 len, bytes
 * GETDENTS   u64 fid, u64 cookie        -> u32 n, u8 eof, u64 next cookie, (u64 ino, u8 d_type, name) * n
 * CLUNK      u64 fid                    -> ()
 * CREATEAT   u64 dir, name, u32 flags, u32 mode, u32 uid, u32 gid -> u64 fid, attr  + SCM_RIGHTS fd (exclusive)
 * MKDIRAT    u64 dir, name, u32 mode, u32 uid, u32 gid           -> u64 fid, attr
 * SYMLINKAT  u64 dir, name, u32 uid, u32 gid, u16 len, target    -> u64 fid, attr
 * LINKAT     u64 file, u64 dir, name                             -> u64 fid, attr
 * UNLINKAT   u64 dir, name, u32 flags (0 or AT_REMOVEDIR)        -> ()
 * RENAMEAT   u64 dir, name, u64 newdir, newname, u32 flags       -> ()       EXDEV across mounts
 * SETSTAT    u64 fid, u32 mask, u32 mode, u32 uid, u32 gid, u64 size, i64 atime s, ns, i64 mtime s, ns -> attr
 * STATFS     u64 fid                    -> struct statfs (120 bytes, as fstatfs(2) fills it)
 * </pre>
 * Every write on a read-only mount is EROFS.
 */
public final class Protocol {
    private Protocol() {}

    public static final int ATTACH = 1, WALK = 2, WALK_MANY = 3, STAT = 4, OPEN = 5, READLINK = 6, GETDENTS = 7,
            CLUNK = 8, CREATEAT = 9, MKDIRAT = 10, SYMLINKAT = 11, LINKAT = 12, UNLINKAT = 13, RENAMEAT = 14,
            SETSTAT = 15, STATFS = 16;

    /** SETSTAT mask bits. */
    public static final int SET_MODE = 1, SET_UID = 2, SET_GID = 4, SET_SIZE = 8, SET_ATIME = 16, SET_MTIME = 32;
    /** The size of a STATFS reply payload: struct statfs on x86-64. */
    public static final int STATFS_SIZE = 120;

    /** Frame header: length, id, type or status. */
    public static final int HEADER = 12;
    /** The largest frame either side accepts; a longer length closes the connection. */
    public static final int MAX_FRAME = 64 * 1024;
    /** Linux NAME_MAX: the longest file name the gofer walks. */
    public static final int NAME_MAX = 255;
    /** Linux PATH_MAX: the longest symlink target readlink returns. */
    public static final int PATH_MAX = 4096;
    /** The most names one WALK_MANY may carry. */
    public static final int WALK_MANY_MAX = 128;
    /** Size of an encoded attr: 13 i64. */
    public static final int ATTR_SIZE = 13 * 8;
    /** The getdents64 buffer per GETDENTS request; its encoding is never larger than the raw records. */
    public static final int DIRENTS_CHUNK = 32 * 1024;

    public static String typeName(int type) {
        return switch (type) {
            case ATTACH -> "Attach";
            case WALK -> "Walk";
            case WALK_MANY -> "WalkMany";
            case STAT -> "Stat";
            case OPEN -> "Open";
            case READLINK -> "ReadLink";
            case GETDENTS -> "Getdents";
            case CLUNK -> "Clunk";
            case CREATEAT -> "CreateAt";
            case MKDIRAT -> "MkdirAt";
            case SYMLINKAT -> "SymlinkAt";
            case LINKAT -> "LinkAt";
            case UNLINKAT -> "UnlinkAt";
            case RENAMEAT -> "RenameAt";
            case SETSTAT -> "SetStat";
            case STATFS -> "StatFS";
            default -> "type " + type;
        };
    }
}
