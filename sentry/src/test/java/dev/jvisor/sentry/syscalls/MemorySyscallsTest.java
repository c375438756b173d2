package dev.jvisor.sentry.syscalls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.ArchPrctl;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.mm.RecordingAddressSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The memory syscalls through the real table, as the task loop dispatches them. */
class MemorySyscallsTest {
    private MemoryFile file;
    private MemoryManager mm;
    private Task task;

    @BeforeEach
    void setUp() {
        file = new MemoryFile(1L << 30, 1L << 30);
        mm = new MemoryManager(file, new RecordingAddressSpace());
        task = new Task(new Kernel(file, null, null, "sandbox"), new ThreadGroup(1, 0), 1,
                new Credentials(0, 0, new int[0]));
        task.mm(mm);
        task.fdTable(new dev.jvisor.sentry.vfs.FdTable());
    }

    @AfterEach
    void tearDown() {
        mm.releaseAll();
        file.close();
    }

    private long call(int nr, long... args) {
        SyscallArguments a = new SyscallArguments();
        a.nr = nr;
        long[] v = java.util.Arrays.copyOf(args, 6);
        a.a0 = v[0];
        a.a1 = v[1];
        a.a2 = v[2];
        a.a3 = v[3];
        a.a4 = v[4];
        a.a5 = v[5];
        try {
            return SyscallTable.dispatch(task, a);
        } catch (ErrnoException e) {
            return e.ret();
        }
    }

    @Test
    void anonymousMmapMunmapMprotect() {
        long a = call(Sysno.MMAP, 0, 8192, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        assertTrue(a > 0, "mmap returned " + a);
        assertEquals(0, call(Sysno.MPROTECT, a, 4096, Mman.PROT_READ));
        assertEquals(0, call(Sysno.MUNMAP, a, 8192));
        assertEquals(Errno.EINVAL.ret(), call(Sysno.MMAP, 0, 4096, Mman.PROT_READ,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 5));
    }

    @Test
    void fileMappingsGoThroughTheFdLookup() {
        assertEquals(Errno.EBADF.ret(), call(Sysno.MMAP, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE, -1, 0));
        assertEquals(Errno.EBADF.ret(), call(Sysno.MMAP, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE, 7, 0));
    }

    @Test
    void brkStartsAtTheLoaderBase() {
        mm.setBrkBase(0x600000);
        assertEquals(0x600000, call(Sysno.BRK, 0));
        assertEquals(0x601000, call(Sysno.BRK, 0x601000));
    }

    @Test
    void archPrctlSetsAndGetsFsAndGs() {
        long buf = call(Sysno.MMAP, 0, 4096, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        assertEquals(0, call(Sysno.ARCH_PRCTL, ArchPrctl.ARCH_SET_FS, 0x7f0000001000L));
        assertEquals(0x7f0000001000L, task.regs().fsBase());
        assertEquals(0, call(Sysno.ARCH_PRCTL, ArchPrctl.ARCH_GET_FS, buf));
        assertEquals(0x7f0000001000L, mm.readLong(buf));
        assertEquals(0, call(Sysno.ARCH_PRCTL, ArchPrctl.ARCH_SET_GS, 0x1234));
        assertEquals(0, call(Sysno.ARCH_PRCTL, ArchPrctl.ARCH_GET_GS, buf + 8));
        assertEquals(0x1234, mm.readLong(buf + 8));
        assertEquals(Errno.EPERM.ret(), call(Sysno.ARCH_PRCTL, ArchPrctl.ARCH_SET_FS, 0x800000000000L));
        assertEquals(Errno.EPERM.ret(), call(Sysno.ARCH_PRCTL, ArchPrctl.ARCH_SET_GS, -4096L));
        assertEquals(0x7f0000001000L, task.regs().fsBase(), "a refused base leaves the old one");
        assertEquals(Errno.EFAULT.ret(), call(Sysno.ARCH_PRCTL, ArchPrctl.ARCH_GET_FS, 1));
        assertEquals(Errno.EINVAL.ret(), call(Sysno.ARCH_PRCTL, 0x9999, buf));
        assertThrows(ErrnoException.class, () -> mm.readLong(1));
    }
}
