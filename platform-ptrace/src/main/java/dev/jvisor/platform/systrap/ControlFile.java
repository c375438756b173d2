package dev.jvisor.platform.systrap;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.platform.ptrace.StubCode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * The shared memory between the sentry and the stub threads: a memfd cut into {@link Slot#SIZE}-byte slots, one
 * per stub thread, mapped whole into the sentry and slot by slot into the stubs, each slot at
 * {@code STUB_BASE + index * Slot.SIZE} (below the stub page). Stubs hold the file at
 * {@code StubCode.CONTROL_FD}; the runtime filter forbids them to map it, so only set-up (by ptrace) does.
 */
final class ControlFile implements AutoCloseable {
    /** How many stub threads may exist at once, over all stubs. */
    static final int SLOTS = 4096;
    /** Where slots live in every stub; workload mappings stay below. */
    static final long STUB_BASE = StubCode.STUB_ADDR - 0x2000_0000L & ~(Slot.SIZE - 1);
    static final long STUB_END = STUB_BASE + (long) SLOTS * Slot.SIZE;

    private final int fd;
    private final MemorySegment mapping;
    private final BitSet used = new BitSet(SLOTS);

    private ControlFile(int fd, MemorySegment mapping) {
        this.fd = fd;
        this.mapping = mapping;
    }

    static ControlFile create() {
        if (STUB_END > StubCode.STUB_ADDR) {
            throw new IllegalStateException("control slots overlap the stub page");
        }
        long len = (long) SLOTS * Slot.SIZE;
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) Host.check(Host.memfdCreate(a.allocateFrom("jvisor-systrap", StandardCharsets.US_ASCII), 0),
                    "memfd_create of the systrap control file");
        }
        try {
            Host.check(Host.ftruncate(fd, len), "ftruncate of the systrap control file");
            long addr = Host.check(Host.mmap(0, len, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_SHARED | Mman.MAP_NORESERVE, fd, 0), "mmap of the systrap control file");
            return new ControlFile(fd, MemorySegment.ofAddress(addr).reinterpret(len));
        } catch (RuntimeException e) {
            Host.close(fd);
            throw e;
        }
    }

    int fd() {
        return fd;
    }

    /** A free slot, zeroed (no earlier thread's registers survive), or null if all are taken. */
    Slot allocate() {
        int i;
        synchronized (used) {
            i = used.nextClearBit(0);
            if (i >= SLOTS) {
                return null;
            }
            used.set(i);
        }
        MemorySegment seg = mapping.asSlice((long) i * Slot.SIZE, Slot.SIZE);
        seg.fill((byte) 0);
        return new Slot(this, i, seg, STUB_BASE + (long) i * Slot.SIZE);
    }

    /** Gives {@code slot} back; its thread must be gone (a live one would share it with the next owner). */
    void free(Slot slot) {
        synchronized (used) {
            used.clear(slot.index);
        }
    }

    /**
     * Closes the fd. The mapping stays (until the sentry exits): a task thread still waiting on a slot must read
     * zeros, not fault, and the stubs that held the file are all dead by now.
     */
    @Override
    public void close() {
        Host.close(fd);
    }
}
