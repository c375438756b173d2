package dev.jvisor.sentry.vfs;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.jvisor.abi.Stat;
import dev.jvisor.abi.Statx;
import java.lang.foreign.MemorySegment;

/**
 * A file's attributes as the kernel's {@code struct kstat} holds them, filled by {@link Inode#stat} or a
 * {@link FileDescription}, then encoded as {@code struct stat} or {@code struct statx}. Times are nanoseconds
 * since the epoch; device numbers are split into major and minor.
 */
public final class Kstat {
    public long ino;
    public int mode;
    public long nlink;
    public int uid;
    public int gid;
    public int devMajor;
    public int devMinor;
    public int rdevMajor;
    public int rdevMinor;
    public long size;
    public long blksize = 4096;
    public long blocks;
    public long atimeNs;
    public long mtimeNs;
    public long ctimeNs;
    public long mountId;
    /** Set when the file is the root of its mount (STATX_ATTR_MOUNT_ROOT). */
    public boolean mountRoot;

    public static final int STATX_ATTR_MOUNT_ROOT = 0x2000;

    /** glibc's makedev(3): the 64-bit dev_t of {@code struct stat}. */
    public static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL;
        long mi = minor & 0xffffffffL;
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    /** Encodes {@code struct stat} (x86-64) into {@code st}, which holds at least {@link Stat#SIZE} bytes. */
    public void encodeStat(MemorySegment st) {
        st.asSlice(0, Stat.SIZE).fill((byte) 0);
        st.set(JAVA_LONG_UNALIGNED, Stat.DEV, makedev(devMajor, devMinor));
        st.set(JAVA_LONG_UNALIGNED, Stat.INO, ino);
        st.set(JAVA_LONG_UNALIGNED, Stat.NLINK, nlink);
        st.set(JAVA_INT_UNALIGNED, Stat.MODE, mode);
        st.set(JAVA_INT_UNALIGNED, Stat.UID, uid);
        st.set(JAVA_INT_UNALIGNED, Stat.GID, gid);
        st.set(JAVA_LONG_UNALIGNED, Stat.RDEV, makedev(rdevMajor, rdevMinor));
        st.set(JAVA_LONG_UNALIGNED, Stat.SIZE_OFF, size);
        st.set(JAVA_LONG_UNALIGNED, Stat.BLKSIZE, blksize);
        st.set(JAVA_LONG_UNALIGNED, Stat.BLOCKS, blocks);
        putTime(st, Stat.ATIME, Stat.ATIME_NSEC, atimeNs);
        putTime(st, Stat.MTIME, Stat.MTIME_NSEC, mtimeNs);
        putTime(st, Stat.CTIME, Stat.CTIME_NSEC, ctimeNs);
    }

    private static void putTime(MemorySegment st, long secOff, long nsecOff, long ns) {
        st.set(JAVA_LONG_UNALIGNED, secOff, Math.floorDiv(ns, 1_000_000_000L));
        st.set(JAVA_LONG_UNALIGNED, nsecOff, Math.floorMod(ns, 1_000_000_000L));
    }

    /**
     * Encodes {@code struct statx} into {@code stx} ({@link Statx#SIZE} bytes). Every basic field is always
     * known here, so stx_mask reports them all whatever was asked, as Linux does for local filesystems.
     */
    public void encodeStatx(MemorySegment stx) {
        stx.asSlice(0, Statx.SIZE).fill((byte) 0);
        stx.set(JAVA_INT_UNALIGNED, Statx.MASK, Statx.STATX_BASIC_STATS | Statx.STATX_MNT_ID);
        stx.set(JAVA_INT_UNALIGNED, Statx.BLKSIZE, (int) blksize);
        stx.set(JAVA_LONG_UNALIGNED, Statx.ATTRIBUTES, mountRoot ? STATX_ATTR_MOUNT_ROOT : 0);
        stx.set(JAVA_INT_UNALIGNED, Statx.NLINK, (int) nlink);
        stx.set(JAVA_INT_UNALIGNED, Statx.UID, uid);
        stx.set(JAVA_INT_UNALIGNED, Statx.GID, gid);
        stx.set(JAVA_SHORT_UNALIGNED, Statx.MODE, (short) mode);
        stx.set(JAVA_LONG_UNALIGNED, Statx.INO, ino);
        stx.set(JAVA_LONG_UNALIGNED, Statx.SIZE_OFF, size);
        stx.set(JAVA_LONG_UNALIGNED, Statx.BLOCKS, blocks);
        stx.set(JAVA_LONG_UNALIGNED, Statx.ATTRIBUTES_MASK, STATX_ATTR_MOUNT_ROOT);
        putStatxTime(stx, Statx.ATIME, atimeNs);
        putStatxTime(stx, Statx.CTIME, ctimeNs);
        putStatxTime(stx, Statx.MTIME, mtimeNs);
        stx.set(JAVA_INT_UNALIGNED, Statx.RDEV_MAJOR, rdevMajor);
        stx.set(JAVA_INT_UNALIGNED, Statx.RDEV_MINOR, rdevMinor);
        stx.set(JAVA_INT_UNALIGNED, Statx.DEV_MAJOR, devMajor);
        stx.set(JAVA_INT_UNALIGNED, Statx.DEV_MINOR, devMinor);
        stx.set(JAVA_LONG_UNALIGNED, Statx.MNT_ID, mountId);
    }

    private static void putStatxTime(MemorySegment stx, long at, long ns) {
        stx.set(JAVA_LONG_UNALIGNED, at + Statx.TS_SEC, Math.floorDiv(ns, 1_000_000_000L));
        stx.set(JAVA_INT_UNALIGNED, at + Statx.TS_NSEC, (int) Math.floorMod(ns, 1_000_000_000L));
    }
}
