package dev.jvisor.abi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** x86-64 {@code struct stat} (144 bytes), as fstat(2) and newfstatat(2) fill it. */
public final class Stat {
    private Stat() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            JAVA_INT.withName("__pad0"),
            JAVA_LONG.withName("st_rdev"),
            JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"),
            JAVA_LONG.withName("st_blocks"),
            JAVA_LONG.withName("st_atime"),
            JAVA_LONG.withName("st_atime_nsec"),
            JAVA_LONG.withName("st_mtime"),
            JAVA_LONG.withName("st_mtime_nsec"),
            JAVA_LONG.withName("st_ctime"),
            JAVA_LONG.withName("st_ctime_nsec"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("__unused"));

    public static final long SIZE = 144;
    public static final long DEV = 0, INO = 8, NLINK = 16, MODE = 24, UID = 28, GID = 32, RDEV = 40, SIZE_OFF = 48,
            BLKSIZE = 56, BLOCKS = 64, ATIME = 72, ATIME_NSEC = 80, MTIME = 88, MTIME_NSEC = 96, CTIME = 104,
            CTIME_NSEC = 112;

    public static long dev(MemorySegment s) { return s.get(JAVA_LONG, DEV); }
    public static long ino(MemorySegment s) { return s.get(JAVA_LONG, INO); }
    public static long nlink(MemorySegment s) { return s.get(JAVA_LONG, NLINK); }
    public static int mode(MemorySegment s) { return s.get(JAVA_INT, MODE); }
    public static int uid(MemorySegment s) { return s.get(JAVA_INT, UID); }
    public static int gid(MemorySegment s) { return s.get(JAVA_INT, GID); }
    public static long rdev(MemorySegment s) { return s.get(JAVA_LONG, RDEV); }
    public static long size(MemorySegment s) { return s.get(JAVA_LONG, SIZE_OFF); }
    public static long blksize(MemorySegment s) { return s.get(JAVA_LONG, BLKSIZE); }
    public static long blocks(MemorySegment s) { return s.get(JAVA_LONG, BLOCKS); }
}
