package dev.jvisor.sentry.vfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Dirent64;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our linux_dirent64 record lengths are the host kernel's, for names of every length mod 8. */
class Dirent64Test {
    @TempDir
    Path dir;

    @Test
    void recordLengthsMatchTheHostKernels() throws IOException {
        for (int len = 1; len <= 20; len++) {
            Files.createFile(dir.resolve("n".repeat(len)));
        }
        Map<String, Integer> host = new HashMap<>();
        try (Arena a = Arena.ofConfined()) {
            int fd = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom(dir.toString()), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
            assertTrue(fd >= 0);
            MemorySegment buf = a.allocate(8192);
            long n;
            while ((n = Host.getdents64(fd, buf.address(), buf.byteSize())) > 0) {
                for (long at = 0; at < n; ) {
                    int reclen = buf.get(JAVA_SHORT_UNALIGNED, at + Dirent64.RECLEN) & 0xffff;
                    long end = at + Dirent64.NAME;
                    while (buf.get(JAVA_BYTE, end) != 0) {
                        end++;
                    }
                    host.put(new String(buf.asSlice(at + Dirent64.NAME, end - at - Dirent64.NAME).toArray(JAVA_BYTE)),
                            reclen);
                    at += reclen;
                }
            }
            Host.close(fd);
        }
        assertEquals(22, host.size());
        host.forEach((name, reclen) -> assertEquals(reclen, Dirent64.recLen(name.length()), name));
    }
}
