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
 * ATTACH     ()                         -> u64 fid, attr
 * WALK       u64 fid, name              -> u64 fid, attr
 * WALK_MANY  u64 fid, u16 n, name * n   -> u16 m, (u64 fid, attr) * m     m &lt;= n: stops at ENOENT or after a symlink
 * STAT       u64 fid                    -> attr
 * OPEN       u64 fid, u32 flags         -> ()  + SCM_RIGHTS fd
 * READLINK   u64 fid                    -> u32 len, bytes
 * GETDENTS   u64 fid, u64 cookie        -> u32 n, u8 eof, u64 next cookie, (u64 ino, u8 d_type, name) * n
 * CLUNK      u64 fid                    -> ()
 * </pre>
 */
public final class Protocol {
    private Protocol() {}

    public static final int ATTACH = 1, WALK = 2, WALK_MANY = 3, STAT = 4, OPEN = 5, READLINK = 6, GETDENTS = 7,
            CLUNK = 8;

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
            default -> "type " + type;
        };
    }
}
