package dev.jvisor.abi;

/**
 * The x86-64 signal frame Linux builds on the user stack, as byte offsets: {@code struct rt_sigframe}
 * (the return address, {@code struct ucontext}, {@code siginfo_t}), the {@code struct sigcontext} inside the
 * ucontext ({@code asm/sigcontext.h}), {@code stack_t}, and the FP/XSAVE area's software-reserved bytes.
 * The FP area lies just above the frame, 64-byte aligned; sigcontext.fpstate points at it.
 */
public final class SigFrame {
    private SigFrame() {}

    /** rt_sigframe: char *pretcode; struct ucontext uc; struct siginfo info. */
    public static final int PRETCODE = 0, UC = 8, INFO = 312, SIZE = 440;

    /** struct ucontext (kernel's): uc_flags, uc_link, uc_stack, uc_mcontext, uc_sigmask. Offsets from uc. */
    public static final int UC_FLAGS = 0, UC_LINK = 8, UC_STACK = 16, UC_MCONTEXT = 40, UC_SIGMASK = 296,
            UC_SIZE = 304;

    public static final long UC_FP_XSTATE = 0x1, UC_SIGCONTEXT_SS = 0x2, UC_STRICT_RESTORE_SS = 0x4;

    /** stack_t: ss_sp, ss_flags (int), ss_size. */
    public static final int SS_SP = 0, SS_FLAGS = 8, SS_SIZE = 16, STACK_T_SIZE = 24;

    /** struct sigcontext (64-bit), offsets from uc_mcontext. */
    public static final int SC_R8 = 0, SC_R9 = 8, SC_R10 = 16, SC_R11 = 24, SC_R12 = 32, SC_R13 = 40, SC_R14 = 48,
            SC_R15 = 56, SC_RDI = 64, SC_RSI = 72, SC_RBP = 80, SC_RBX = 88, SC_RDX = 96, SC_RAX = 104,
            SC_RCX = 112, SC_RSP = 120, SC_RIP = 128, SC_EFLAGS = 136, SC_CS = 144, SC_GS = 146, SC_FS = 148,
            SC_SS = 150, SC_ERR = 152, SC_TRAPNO = 160, SC_OLDMASK = 168, SC_CR2 = 176, SC_FPSTATE = 184,
            SC_SIZE = 256;

    /** The general registers of sigcontext in order, as {@link UserRegs} offsets (r8 ... rsp, rip, eflags). */
    public static final int[] SC_GREGS = {UserRegs.R8, UserRegs.R9, UserRegs.R10, UserRegs.R11, UserRegs.R12,
        UserRegs.R13, UserRegs.R14, UserRegs.R15, UserRegs.RDI, UserRegs.RSI, UserRegs.RBP, UserRegs.RBX,
        UserRegs.RDX, UserRegs.RAX, UserRegs.RCX, UserRegs.RSP, UserRegs.RIP, UserRegs.EFLAGS};

    /** The legacy FXSAVE area's size, and where its software-reserved bytes (struct _fpx_sw_bytes) start. */
    public static final int FXSAVE_SIZE = 512, SW_BYTES = 464;
    /** _fpx_sw_bytes: magic1, extended_size, xfeatures, xstate_size; offsets from SW_BYTES. */
    public static final int SW_MAGIC1 = 0, SW_EXTENDED_SIZE = 4, SW_XFEATURES = 8, SW_XSTATE_SIZE = 16;
    public static final int FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845, MAGIC2_SIZE = 4;
    /** The XSAVE header after the legacy area: XSTATE_BV, XCOMP_BV, then reserved bytes up to 64. */
    public static final int XSTATE_BV = 512, XCOMP_BV = 520, XSAVE_HEADER_SIZE = 64;
    /** MXCSR in the legacy area. */
    public static final int MXCSR = 24;

    /** Space below the interrupted stack pointer that a frame never touches (the x86-64 ABI's red zone). */
    public static final int REDZONE = 128;

    /** The eflags bits sigreturn takes from the frame (FIX_EFLAGS): AC OF DF TF SF ZF AF PF CF RF. */
    public static final long FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;

    /** sigaltstack flags and limits. */
    public static final int SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31;
    public static final long MINSIGSTKSZ = 2048;

    /** Trap numbers the kernel writes to sigcontext.trapno. */
    public static final int TRAP_DE = 0, TRAP_DB = 1, TRAP_BP = 3, TRAP_UD = 6, TRAP_GP = 13, TRAP_PF = 14;

    /** User code and stack segments. */
    public static final int USER_CS = 0x33, USER_DS = 0x2b;
}
