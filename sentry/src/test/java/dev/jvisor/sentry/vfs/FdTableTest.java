package dev.jvisor.sentry.vfs;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertRet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** fd allocation, dup(2)/dup2(2)/dup3(2) and FD_CLOEXEC as open(2) and dup(2) specify them. */
class FdTableTest {
    /** A description that counts its releases. */
    static final class Counted extends FileDescription {
        int released;

        Counted() {
            super(null, 0);
        }

        @Override
        public long pread(MemorySegment dst, long offset) {
            return 0;
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        protected void release() {
            released++;
        }
    }

    private final FdTable table = new FdTable();

    @Test
    void newFdsTakeTheLowestFreeNumber() {
        assertEquals(0, table.install(new Counted(), false, 1024));
        assertEquals(1, table.install(new Counted(), false, 1024));
        assertEquals(2, table.install(new Counted(), false, 1024));
        assertEquals(0, table.close(1));
        assertEquals(1, table.install(new Counted(), false, 1024));
        assertEquals(3, table.install(new Counted(), false, 1024));
        assertArrayEquals(new int[] {0, 1, 2, 3}, table.openFds());
    }

    @Test
    void theNofileLimitGivesEmfile() {
        for (int i = 0; i < 3; i++) {
            assertEquals(i, table.install(new Counted(), false, 3));
        }
        Counted extra = new Counted();
        assertRet(Errno.EMFILE, table.install(extra, false, 3));
        assertRet(Errno.EMFILE, table.dup(0, 0, false, 3));
    }

    @Test
    void closeReleasesTheDescriptionOnlyWithItsLastFd() {
        Counted c = new Counted();
        int fd = table.install(c, false, 1024);
        int copy = table.dup(fd, 0, false, 1024);
        assertEquals(fd + 1, copy);
        assertEquals(0, table.close(fd));
        assertEquals(0, c.released);
        assertEquals(0, table.close(copy));
        assertEquals(1, c.released);
        assertRet(Errno.EBADF, table.close(copy));
        assertRet(Errno.EBADF, table.close(-1));
    }

    @Test
    void dupToReplacesTheTargetAndSharesTheDescription() {
        Counted a = new Counted();
        Counted b = new Counted();
        table.install(a, false, 1024);
        table.install(b, false, 1024);
        assertEquals(1, table.dupTo(0, 1, false, 1024));
        assertEquals(1, b.released);
        FileDescription got = table.get(1);
        assertSame(a, got);
        got.decRef();
        assertEquals(57, table.dupTo(0, 57, true, 1024));
        assertEquals(1, table.getCloexec(57));
        assertRet(Errno.EBADF, table.dupTo(0, 1024, false, 1024));
        assertRet(Errno.EBADF, table.dupTo(5, 6, false, 1024));
        assertRet(Errno.EBADF, table.dupTo(0, -1, false, 1024));
    }

    @Test
    void installAtPlacesExactlyAndLowestFreeStillWorks() {
        Counted a = new Counted();
        table.installAt(2, a, false);
        assertEquals(0, table.install(new Counted(), false, 1024));
        assertEquals(1, table.install(new Counted(), false, 1024));
        assertEquals(3, table.install(new Counted(), false, 1024));
        table.installAt(2, new Counted(), true);
        assertEquals(1, a.released);
        assertEquals(1, table.getCloexec(2));
    }

    @Test
    void dupWithAMinimumSkipsLowerFds() {
        table.install(new Counted(), false, 1024);
        assertEquals(10, table.dup(0, 10, false, 1024));
        assertEquals(11, table.dup(0, 10, true, 1024));
        assertEquals(0, table.getCloexec(10));
        assertEquals(1, table.getCloexec(11));
        assertEquals(1, table.install(new Counted(), false, 1024));
    }

    @Test
    void closeOnExecClosesOnlyMarkedFds() {
        Counted keep = new Counted();
        Counted drop = new Counted();
        table.install(keep, false, 1024);
        table.install(drop, true, 1024);
        assertEquals(0, table.setCloexec(0, false));
        table.closeOnExec();
        assertTrue(table.isOpen(0));
        assertFalse(table.isOpen(1));
        assertEquals(1, drop.released);
        assertRet(Errno.EBADF, table.setCloexec(1, true));
        assertRet(Errno.EBADF, table.getCloexec(1));
    }

    @Test
    void forkSharesDescriptionsUntilBothClose() {
        Counted c = new Counted();
        table.install(c, true, 1024);
        FdTable child = table.fork();
        assertEquals(1, child.getCloexec(0));
        table.releaseAll();
        assertEquals(0, c.released);
        assertNull(table.get(0));
        child.close(0);
        assertEquals(1, c.released);
    }
}
