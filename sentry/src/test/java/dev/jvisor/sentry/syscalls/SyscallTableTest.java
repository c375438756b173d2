package dev.jvisor.sentry.syscalls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Sysno;
import org.junit.jupiter.api.Test;

class SyscallTableTest {
    @Test
    void everyEntryIsNamedAfterItsNumber() {
        for (SyscallTable.Entry e : SyscallTable.entries()) {
            assertEquals(Sysno.name(e.nr()), e.name());
            assertNotNull(e.handler(), e.name());
        }
    }

    @Test
    void partialAndErrorEntriesSayWhy() {
        for (SyscallTable.Entry e : SyscallTable.entries()) {
            if (e.support() != SyscallTable.Support.SUPPORTED) {
                assertTrue(!e.note().isBlank(), e.name() + " needs a note");
            }
        }
    }

    @Test
    void theVerticalSliceSyscallsAreAllPresent() {
        int[] required = {Sysno.READ, Sysno.WRITE, Sysno.OPENAT, Sysno.CLOSE, Sysno.FSTAT, Sysno.MMAP, Sysno.BRK,
            Sysno.ARCH_PRCTL, Sysno.EXIT_GROUP, Sysno.GETDENTS64, Sysno.CLOCK_GETTIME, Sysno.GETRANDOM};
        for (int nr : required) {
            assertNotNull(SyscallTable.lookup(nr), Sysno.name(nr));
        }
    }

    @Test
    void numbersOutsideTheTableHaveNoEntry() {
        assertNull(SyscallTable.lookup(-1));
        assertNull(SyscallTable.lookup(Sysno.MAX));
        assertNull(SyscallTable.lookup(335)); // unassigned on x86-64
    }
}
