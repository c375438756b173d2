package dev.jvisor.abi;

/** ELF64 constants (elf.h) and the auxiliary-vector tags the loader puts on a new stack. */
public final class Elf {
    private Elf() {}

    public static final int EHDR_SIZE = 64;
    public static final int PHDR_SIZE = 56;

    public static final int EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6;
    public static final int ELFCLASS32 = 1, ELFCLASS64 = 2;
    public static final int ELFDATA2LSB = 1, ELFDATA2MSB = 2;

    public static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;

    public static final int EM_386 = 3, EM_X86_64 = 62, EM_AARCH64 = 183;

    public static final int PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6,
            PT_TLS = 7;
    public static final int PT_GNU_STACK = 0x6474e551;

    public static final int PF_X = 1, PF_W = 2, PF_R = 4;

    // Auxiliary vector tags (<linux/auxvec.h>, <asm/auxvec.h>).
    public static final int AT_NULL = 0;
    public static final int AT_PHDR = 3;
    public static final int AT_PHENT = 4;
    public static final int AT_PHNUM = 5;
    public static final int AT_PAGESZ = 6;
    public static final int AT_BASE = 7;
    public static final int AT_FLAGS = 8;
    public static final int AT_ENTRY = 9;
    public static final int AT_UID = 11;
    public static final int AT_EUID = 12;
    public static final int AT_GID = 13;
    public static final int AT_EGID = 14;
    public static final int AT_PLATFORM = 15;
    public static final int AT_HWCAP = 16;
    public static final int AT_CLKTCK = 17;
    public static final int AT_SECURE = 23;
    public static final int AT_RANDOM = 25;
    public static final int AT_HWCAP2 = 26;
    public static final int AT_EXECFN = 31;
    public static final int AT_SYSINFO_EHDR = 33;
    public static final int AT_MINSIGSTKSZ = 51;

    /** A name for an e_machine value, for error messages. */
    public static String machineName(int m) {
        return switch (m) {
            case 2 -> "SPARC";
            case EM_386 -> "i386";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "s390";
            case 40 -> "ARM";
            case 43 -> "SPARC64";
            case 50 -> "IA-64";
            case EM_X86_64 -> "x86-64";
            case EM_AARCH64 -> "AArch64";
            case 243 -> "RISC-V";
            case 258 -> "LoongArch";
            default -> "machine " + m;
        };
    }
}
