package dev.jvisor.sentry.mm;

import static dev.jvisor.abi.Mman.MAP_ANONYMOUS;
import static dev.jvisor.abi.Mman.MAP_PRIVATE;
import static dev.jvisor.abi.Mman.MAP_SHARED;
import static dev.jvisor.abi.Mman.PROT_READ;
import static dev.jvisor.abi.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** fork(2)'s copy of an address space: private memory copied, shared memory shared, every page freed once. */
class MemoryManagerForkTest {
    private static final long PAGE = 4096;
    private static final int RW = PROT_READ | PROT_WRITE;

    private MemoryFile file;
    private MemoryManager parent;

    @BeforeEach
    void setUp() {
        file = new MemoryFile(1L << 30, 1L << 30);
        parent = new MemoryManager(file, new RecordingAddressSpace());
    }

    @AfterEach
    void tearDown() {
        file.close();
    }

    @Test
    void privateMemoryIsCopiedAndSharedMemoryIsShared() {
        long priv = parent.mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        long shared = parent.mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        parent.writeLong(priv + PAGE, 0x1122334455667788L);
        parent.writeInt(shared, 7);

        RecordingAddressSpace childAs = new RecordingAddressSpace();
        MemoryManager child = parent.fork(childAs);
        childAs.assertMirrors(child);
        assertEquals(parent.vmas().size(), child.vmas().size());
        assertEquals(0x1122334455667788L, child.readLong(priv + PAGE), "the copy holds the parent's bytes");

        child.writeLong(priv + PAGE, 1);
        assertEquals(0x1122334455667788L, parent.readLong(priv + PAGE), "a child's write stays in the child");
        child.writeInt(shared, 9);
        assertEquals(9, parent.readInt(shared), "MAP_SHARED memory is the same pages in both");

        // The parent unmaps its shared mapping: the child keeps the pages.
        assertEquals(0, parent.munmap(shared, PAGE));
        assertEquals(9, child.readInt(shared));

        parent.release();
        child.release();
        assertTrue(childAs.released, "the last user releases the address space");
        assertEquals(0, file.allocated(), "every page is freed once, by its last owner");
    }

    @Test
    void untouchedPagesStayHolesInTheCopy() {
        long big = parent.mmap(0, 1024 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        parent.writeInt(big + 512 * PAGE, 42);
        MemoryManager child = parent.fork(new RecordingAddressSpace());
        assertEquals(42, child.readInt(big + 512 * PAGE));
        assertEquals(0, child.readInt(big));
        parent.release();
        child.release();
        assertEquals(0, file.allocated());
    }

    @Test
    void aSharedManagerIsFreedByItsLastUser() {
        RecordingAddressSpace as = new RecordingAddressSpace();
        MemoryManager mm = new MemoryManager(file, as);
        mm.mmap(0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        mm.retain();
        mm.release();
        assertTrue(!as.released && file.allocated() > 0, "one user left");
        mm.release();
        assertTrue(as.released);
        assertEquals(0, file.allocated());
        parent.release();
    }
}
