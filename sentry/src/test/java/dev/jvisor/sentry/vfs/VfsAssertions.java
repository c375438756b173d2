package dev.jvisor.sentry.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.kernel.Task;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.function.Executable;

/** TEST ONLY: helpers that read like the C a Linux test would write. */
public final class VfsAssertions {
    private VfsAssertions() {}

    public static void assertErrno(Errno expected, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(expected, e.errno());
    }

    public static void assertRet(Errno expected, long ret) {
        assertEquals(expected.ret(), ret, "expected " + expected + ", got " + ret);
    }

    /** Reads the whole file at {@code path} through pread into native memory. */
    public static String readAll(Task t, String path) {
        FileDescription f = t.kernel().vfs().open(t, Fcntl.AT_FDCWD, path, Fcntl.O_RDONLY, 0);
        try {
            return readFrom(f);
        } finally {
            f.decRef();
        }
    }

    /** Reads from the current offset to EOF with read(2) semantics. */
    public static String readFrom(FileDescription f) {
        StringBuilder sb = new StringBuilder();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(7); // small on purpose: several reads per file
            while (true) {
                long n = f.read(buf);
                if (n < 0) {
                    throw Errno.of((int) -n).exception();
                }
                if (n == 0) {
                    return sb.toString();
                }
                sb.append(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** write(2) of a whole string; returns the byte count. */
    public static long write(FileDescription f, String s) {
        try (Arena a = Arena.ofConfined()) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            MemorySegment seg = a.allocate(Math.max(1, b.length)).asSlice(0, b.length);
            MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
            return f.write(seg);
        }
    }

    /** Creates (or truncates) {@code path} with {@code contents}. */
    public static void createFile(Task t, String path, String contents) {
        FileDescription f = t.kernel().vfs().open(t, Fcntl.AT_FDCWD, path,
                Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
        try {
            assertEquals(contents.length(), write(f, contents));
        } finally {
            f.decRef();
        }
    }
}
