package dev.jvisor.abi;

/** arch_prctl(2) codes (asm/prctl.h). */
public final class ArchPrctl {
    private ArchPrctl() {}

    public static final int ARCH_SET_GS = 0x1001;
    public static final int ARCH_SET_FS = 0x1002;
    public static final int ARCH_GET_FS = 0x1003;
    public static final int ARCH_GET_GS = 0x1004;

    /** x86-64 TASK_SIZE_MAX with 4-level paging: an FS/GS base at or above it is refused with EPERM. */
    public static final long TASK_SIZE_MAX = (1L << 47) - 4096;
}
