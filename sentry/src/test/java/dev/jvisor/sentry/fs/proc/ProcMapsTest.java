package dev.jvisor.sentry.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Mman;
import dev.jvisor.sentry.mm.Vma;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /proc/[pid]/maps lines in the kernel's layout. */
class ProcMapsTest {
    private static Vma anon(long start, long end, int prot, int flags, String name) {
        return new Vma(start, end, prot, flags | Mman.MAP_ANONYMOUS, 0, null, 0, name);
    }

    @Test
    void aNamedAnonymousMappingHasItsNameInColumn73() {
        String text = ProcMaps.text(List.of(anon(0x400000, 0x421000, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE, "[heap]")), v -> null);
        assertEquals("00400000-00421000 rw-p 00000000 00:00 0" + " ".repeat(34) + "[heap]\n", text);
        assertEquals(ProcMaps.NAME_COLUMN, text.indexOf('['));
    }

    @Test
    void anUnnamedMappingEndsWithTheInodeAndASpace() {
        String text = ProcMaps.text(List.of(anon(0x7f0000000000L, 0x7f0000003000L, Mman.PROT_NONE,
                Mman.MAP_PRIVATE, "")), v -> null);
        assertEquals("7f0000000000-7f0000003000 ---p 00000000 00:00 0 \n", text);
    }

    @Test
    void permissionsAreTheProtectionAsGivenAndSharedMappingsShowS() {
        String text = ProcMaps.text(List.of(
                anon(0x1000000, 0x1001000, Mman.PROT_WRITE, Mman.MAP_PRIVATE, ""),
                anon(0x1001000, 0x1002000, Mman.PROT_READ | Mman.PROT_EXEC, Mman.MAP_SHARED, "")), v -> null);
        assertEquals("01000000-01001000 -w-p 00000000 00:00 0 \n01001000-01002000 r-xs 00000000 00:00 0 \n", text);
    }

    @Test
    void oneLinePerVmaInTheOrderGiven() {
        String text = ProcMaps.text(List.of(
                anon(0x400000, 0x401000, Mman.PROT_READ, Mman.MAP_PRIVATE, ""),
                anon(0x7ffffffde000L, 0x7ffffffff000L, Mman.PROT_READ | Mman.PROT_WRITE,
                        Mman.MAP_PRIVATE | Mman.MAP_GROWSDOWN, "[stack]")), v -> null);
        String[] lines = text.split("\n");
        assertEquals(2, lines.length);
        assertEquals("7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0" + " ".repeat(26) + "[stack]", lines[1]);
    }
}
