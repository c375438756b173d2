package dev.jvisor.sentry.vfs;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * What statfs(2) reports: the fields of {@code struct statfs} (x86-64, 120 bytes: eleven longs, then spare
 * words). {@code fsid} packs the two ints of {@code f_fsid}.
 */
public record StatFs(long type, long bsize, long blocks, long bfree, long bavail, long files, long ffree, long fsid,
                     long namelen, long frsize, long flags) {
    /** sizeof(struct statfs). */
    public static final int SIZE = 120;
    /** TMPFS_MAGIC (linux/magic.h): what the sentry's in-memory filesystems report. */
    public static final long TMPFS_MAGIC = 0x01021994L;
    /** ST_RDONLY in f_flags. */
    public static final long ST_RDONLY = 1;

    /**
     * The statistics of a filesystem with no backing store (tmpfs, proc, sys...): Linux's tmpfs with no size
     * limit reports zero blocks and files; the name limit is NAME_MAX.
     */
    static StatFs anonymous(Filesystem fs) {
        return new StatFs(TMPFS_MAGIC, 4096, 0, 0, 0, 0, 0, ((long) fs.devMajor() << 32) | fs.devMinor(),
                VirtualFilesystem.NAME_MAX, 4096, 0);
    }

    /** Decodes a host {@code struct statfs}. */
    public static StatFs decode(MemorySegment b) {
        return new StatFs(b.get(JAVA_LONG_UNALIGNED, 0), b.get(JAVA_LONG_UNALIGNED, 8),
                b.get(JAVA_LONG_UNALIGNED, 16), b.get(JAVA_LONG_UNALIGNED, 24), b.get(JAVA_LONG_UNALIGNED, 32),
                b.get(JAVA_LONG_UNALIGNED, 40), b.get(JAVA_LONG_UNALIGNED, 48), b.get(JAVA_LONG_UNALIGNED, 56),
                b.get(JAVA_LONG_UNALIGNED, 64), b.get(JAVA_LONG_UNALIGNED, 72), b.get(JAVA_LONG_UNALIGNED, 80));
    }

    /** This with ST_RDONLY set in the flags (a read-only mount). */
    public StatFs readonly() {
        return new StatFs(type, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, frsize, flags | ST_RDONLY);
    }

    /** Encodes {@code struct statfs} into {@code b} ({@link #SIZE} bytes; the spare words are zeroed). */
    public void encode(MemorySegment b) {
        b.asSlice(0, SIZE).fill((byte) 0);
        long[] v = {type, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, frsize, flags};
        for (int i = 0; i < v.length; i++) {
            b.set(JAVA_LONG_UNALIGNED, 8L * i, v[i]);
        }
    }
}
