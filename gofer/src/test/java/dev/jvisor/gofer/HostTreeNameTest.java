package dev.jvisor.gofer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A walk takes exactly one path component, as the kernel's own lookup of one name would see it. */
class HostTreeNameTest {
    private static int check(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(b.length + 3);
            MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 3, b.length);
            return HostTree.checkName(seg, 3, b.length);
        }
    }

    @Test
    void ordinaryNamesPass() {
        for (String ok : new String[] {"a", "...", ".hidden", "..x", "x..", "with space", "ünïcode", "x".repeat(255)}) {
            assertEquals(0, check(ok), ok);
        }
    }

    @Test
    void dotDotSlashEmptyAndNulAreEinval() {
        for (String bad : new String[] {"", ".", "..", "a/b", "/", "a\0"}) {
            assertEquals(-Errno.EINVAL.number(), check(bad), bad);
        }
    }

    @Test
    void longerThanNameMaxIsEnametoolong() {
        assertEquals(-Errno.ENAMETOOLONG.number(), check("x".repeat(256)));
    }
}
