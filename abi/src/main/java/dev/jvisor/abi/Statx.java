package dev.jvisor.abi;

/** {@code struct statx} (256 bytes, linux/stat.h) offsets and the STATX_* mask bits. */
public final class Statx {
    private Statx() {}

    public static final long SIZE = 0x100;

    public static final long MASK = 0x00, BLKSIZE = 0x04, ATTRIBUTES = 0x08, NLINK = 0x10, UID = 0x14, GID = 0x18,
            MODE = 0x1c, INO = 0x20, SIZE_OFF = 0x28, BLOCKS = 0x30, ATTRIBUTES_MASK = 0x38, ATIME = 0x40,
            BTIME = 0x50, CTIME = 0x60, MTIME = 0x70, RDEV_MAJOR = 0x80, RDEV_MINOR = 0x84, DEV_MAJOR = 0x88,
            DEV_MINOR = 0x8c, MNT_ID = 0x90;
    /** Within a {@code struct statx_timestamp}: tv_sec (s64) then tv_nsec (u32). */
    public static final long TS_SEC = 0, TS_NSEC = 8;

    public static final int STATX_TYPE = 0x1;
    public static final int STATX_MODE = 0x2;
    public static final int STATX_NLINK = 0x4;
    public static final int STATX_UID = 0x8;
    public static final int STATX_GID = 0x10;
    public static final int STATX_ATIME = 0x20;
    public static final int STATX_MTIME = 0x40;
    public static final int STATX_CTIME = 0x80;
    public static final int STATX_INO = 0x100;
    public static final int STATX_SIZE = 0x200;
    public static final int STATX_BLOCKS = 0x400;
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_BTIME = 0x800;
    public static final int STATX_MNT_ID = 0x1000;
    public static final int STATX__RESERVED = 0x80000000;

    public static final int AT_STATX_SYNC_AS_STAT = 0x0000;
    public static final int AT_STATX_FORCE_SYNC = 0x2000;
    public static final int AT_STATX_DONT_SYNC = 0x4000;
}
