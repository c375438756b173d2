package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/** A small memory file for tests: a memfd mapped whole into this JVM, as the sentry's MemoryFile does. */
final class MemoryFileFixture implements AutoCloseable {
    static final long SIZE = 16 << 20;

    final int fd;
    final String name;
    final MemorySegment mem;
    private final long addr;

    MemoryFileFixture(String name) {
        this.name = name;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) Host.check(Host.memfdCreate(a.allocateFrom(name), Mman.MFD_CLOEXEC), "memfd_create");
        }
        Host.check(Host.ftruncate(fd, SIZE), "ftruncate");
        addr = Host.check(Host.mmap(0, SIZE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0), "mmap");
        mem = MemorySegment.ofAddress(addr).reinterpret(SIZE);
    }

    /** Writes machine code given as hex at file offset {@code off}. */
    void code(long off, String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        MemorySegment.copy(b, 0, mem, JAVA_BYTE, off, b.length);
    }

    @Override
    public void close() {
        Host.munmap(addr, SIZE);
        Host.close(fd);
    }
}
