package dev.jvisor.sentry.vfs;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Stat;
import dev.jvisor.abi.Statx;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The struct stat and struct statx encodings agree with what the host kernel writes for the same file. */
class KstatTest {
    @Test
    void encodedStatMatchesTheHostsForTheSameAttributes() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(Stat.LAYOUT);
            MemorySegment path = a.allocateFrom("/");
            assertEquals(0, Host.fstatat(Fcntl.AT_FDCWD, path, host, 0));
            Kstat k = new Kstat();
            long dev = Stat.dev(host);
            k.devMajor = (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
            k.devMinor = (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
            k.ino = Stat.ino(host);
            k.mode = Stat.mode(host);
            k.nlink = Stat.nlink(host);
            k.uid = Stat.uid(host);
            k.gid = Stat.gid(host);
            k.size = Stat.size(host);
            k.blksize = Stat.blksize(host);
            k.blocks = Stat.blocks(host);
            k.atimeNs = host.get(JAVA_LONG, Stat.ATIME) * 1_000_000_000L + host.get(JAVA_LONG, Stat.ATIME_NSEC);
            k.mtimeNs = host.get(JAVA_LONG, Stat.MTIME) * 1_000_000_000L + host.get(JAVA_LONG, Stat.MTIME_NSEC);
            k.ctimeNs = host.get(JAVA_LONG, Stat.CTIME) * 1_000_000_000L + host.get(JAVA_LONG, Stat.CTIME_NSEC);
            MemorySegment mine = a.allocate(Stat.LAYOUT);
            k.encodeStat(mine);
            assertEquals(-1, host.mismatch(mine), "struct stat differs");
        }
    }

    @Test
    void statxFieldsSitAtTheHeaderOffsets() {
        Kstat k = new Kstat();
        k.ino = 0x1122334455L;
        k.mode = 0100644;
        k.nlink = 3;
        k.uid = 1000;
        k.gid = 100;
        k.size = 12345;
        k.mtimeNs = 1_700_000_000_123_456_789L;
        k.devMajor = 8;
        k.devMinor = 1;
        k.rdevMajor = 1;
        k.rdevMinor = 9;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Statx.SIZE);
            k.encodeStatx(s);
            assertEquals(Statx.STATX_BASIC_STATS, s.get(JAVA_INT, 0) & Statx.STATX_BASIC_STATS);
            assertEquals(3, s.get(JAVA_INT, 0x10));
            assertEquals(1000, s.get(JAVA_INT, 0x14));
            assertEquals(100, s.get(JAVA_INT, 0x18));
            assertEquals((short) 0100644, s.get(JAVA_SHORT, 0x1c));
            assertEquals(0x1122334455L, s.get(JAVA_LONG, 0x20));
            assertEquals(12345, s.get(JAVA_LONG, 0x28));
            assertEquals(1_700_000_000L, s.get(JAVA_LONG, 0x70));
            assertEquals(123_456_789, s.get(JAVA_INT, 0x78));
            assertEquals(1, s.get(JAVA_INT, 0x80));
            assertEquals(9, s.get(JAVA_INT, 0x84));
            assertEquals(8, s.get(JAVA_INT, 0x88));
            assertEquals(1, s.get(JAVA_INT, 0x8c));
        }
    }
}
