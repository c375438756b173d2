package dev.jvisor.abi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct linux_dirent64} as getdents64(2) writes it: d_ino (u64), d_off (s64), d_reclen (u16), d_type (u8),
 * then the NUL-terminated name, the record padded to a multiple of 8.
 */
public final class Dirent64 {
    private Dirent64() {}

    public static final int INO = 0, OFF = 8, RECLEN = 16, TYPE = 18, NAME = 19;

    /** The record length for a name of {@code nameBytes} bytes: header, name, NUL, padded to 8. */
    public static int recLen(int nameBytes) {
        return (NAME + nameBytes + 1 + 7) & ~7;
    }

    /** Writes one record at {@code at}; the caller checked that {@link #recLen} bytes fit. Returns its length. */
    public static int write(MemorySegment buf, long at, long ino, long off, int type, byte[] name) {
        int len = recLen(name.length);
        buf.set(JAVA_LONG_UNALIGNED, at + INO, ino);
        buf.set(JAVA_LONG_UNALIGNED, at + OFF, off);
        buf.set(JAVA_SHORT_UNALIGNED, at + RECLEN, (short) len);
        buf.set(JAVA_BYTE, at + TYPE, (byte) type);
        MemorySegment.copy(name, 0, buf, JAVA_BYTE, at + NAME, name.length);
        buf.asSlice(at + NAME + name.length, len - NAME - name.length).fill((byte) 0);
        return len;
    }
}
