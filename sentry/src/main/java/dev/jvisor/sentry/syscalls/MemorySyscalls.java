package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.ArchPrctl;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Mman;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;

/** Memory syscalls: thin decoders in front of the task's {@link dev.jvisor.sentry.mm.MemoryManager}. */
final class MemorySyscalls {
    private MemorySyscalls() {}

    /** Implements brk(2). */
    public static long brk(Task t, SyscallArguments a) {
        return t.mm().brk(a.a0);
    }

    /** Implements mmap(2). Private and shared file mappings both hold a copy of the file's bytes. */
    public static long mmap(Task t, SyscallArguments a) {
        int flags = a.i(3);
        long offset = a.a5;
        if ((offset & ~Mman.PAGE_MASK) != 0) {
            return Errno.EINVAL.ret();
        }
        if ((flags & Mman.MAP_ANONYMOUS) != 0) {
            return t.mm().mmap(a.a0, a.a1, a.i(2), flags, null, offset);
        }
        FileDescription file = FileMapping.lookup(t, a.i(4));
        try {
            if (file.isPath()) {
                return Errno.EBADF.ret();
            }
            if (!file.inode().isRegular()) {
                return Errno.ENODEV.ret(); // only regular files can be mapped here (no device mmap yet)
            }
            // mmap(2): the file must be open for reading, and for writing too when a shared mapping is writable.
            boolean sharedWrite = (flags & Mman.MAP_TYPE) != Mman.MAP_PRIVATE && (a.i(2) & Mman.PROT_WRITE) != 0;
            if (!file.readable() || (sharedWrite && !file.writable())) {
                return Errno.EACCES.ret();
            }
            return t.mm().mmap(a.a0, a.a1, a.i(2), flags, file, offset);
        } finally {
            file.decRef();
        }
    }

    /** Implements munmap(2). */
    public static long munmap(Task t, SyscallArguments a) {
        return t.mm().munmap(a.a0, a.a1);
    }

    /** Implements mprotect(2). */
    public static long mprotect(Task t, SyscallArguments a) {
        return t.mm().mprotect(a.a0, a.a1, a.i(2));
    }

    /** Implements mremap(2). */
    public static long mremap(Task t, SyscallArguments a) {
        return t.mm().mremap(a.a0, a.a1, a.a2, a.i(3), a.a4);
    }

    /** Implements madvise(2). */
    public static long madvise(Task t, SyscallArguments a) {
        return t.mm().madvise(a.a0, a.a1, a.i(2));
    }

    /** Implements arch_prctl(2): ARCH_SET_FS, ARCH_GET_FS, ARCH_SET_GS, ARCH_GET_GS. */
    public static long archPrctl(Task t, SyscallArguments a) {
        long addr = a.a1;
        switch (a.i(0)) {
            case ArchPrctl.ARCH_SET_FS -> {
                if (Long.compareUnsigned(addr, ArchPrctl.TASK_SIZE_MAX) >= 0) {
                    return Errno.EPERM.ret();
                }
                t.regs().fsBase(addr);
                return 0;
            }
            case ArchPrctl.ARCH_SET_GS -> {
                if (Long.compareUnsigned(addr, ArchPrctl.TASK_SIZE_MAX) >= 0) {
                    return Errno.EPERM.ret();
                }
                t.regs().gsBase(addr);
                return 0;
            }
            case ArchPrctl.ARCH_GET_FS -> {
                t.mm().writeLong(addr, t.regs().fsBase());
                return 0;
            }
            case ArchPrctl.ARCH_GET_GS -> {
                t.mm().writeLong(addr, t.regs().gsBase());
                return 0;
            }
            default -> {
                return Errno.EINVAL.ret();
            }
        }
    }
}
