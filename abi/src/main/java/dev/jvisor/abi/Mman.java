package dev.jvisor.abi;

/** mmap(2), mprotect(2), madvise(2) and mremap(2) constants. */
public final class Mman {
    private Mman() {}

    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;
    public static final int PROT_GROWSDOWN = 0x01000000;
    public static final int PROT_GROWSUP = 0x02000000;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_SHARED_VALIDATE = 0x03;
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_32BIT = 0x40;
    public static final int MAP_GROWSDOWN = 0x0100;
    public static final int MAP_DENYWRITE = 0x0800;
    public static final int MAP_EXECUTABLE = 0x1000;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_NONBLOCK = 0x10000;
    public static final int MAP_STACK = 0x20000;
    public static final int MAP_HUGETLB = 0x40000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    public static final int MREMAP_DONTUNMAP = 4;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_RANDOM = 1;
    public static final int MADV_SEQUENTIAL = 2;
    public static final int MADV_WILLNEED = 3;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DOFORK = 11;
    public static final int MADV_MERGEABLE = 12;
    public static final int MADV_UNMERGEABLE = 13;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_DONTDUMP = 16;
    public static final int MADV_DODUMP = 17;

    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_ALLOW_SEALING = 2;

    public static final int FALLOC_FL_KEEP_SIZE = 1;
    public static final int FALLOC_FL_PUNCH_HOLE = 2;

    public static final long PAGE_SIZE = 4096;

    /** TASK_SIZE_MAX on x86-64 with 4-level page tables: user addresses lie below it. */
    public static final long TASK_SIZE = (1L << 47) - PAGE_SIZE;

    /**
     * The kernel's access_ok(): whether {@code [addr, addr+len)} lies within user space, without looking at
     * what is mapped there. Syscalls check it before anything else, so a huge length is EFAULT at once.
     */
    public static boolean accessOk(long addr, long len) {
        return Long.compareUnsigned(len, TASK_SIZE) <= 0 && Long.compareUnsigned(addr, TASK_SIZE - len) <= 0;
    }
    public static final long PAGE_MASK = ~(PAGE_SIZE - 1);

    public static long pageDown(long a) {
        return a & PAGE_MASK;
    }

    /** Rounds up to a page; returns -1 on overflow. */
    public static long pageUp(long a) {
        long r = (a + PAGE_SIZE - 1) & PAGE_MASK;
        return Long.compareUnsigned(r, a) < 0 ? -1 : r;
    }
}
