package dev.jvisor.abi;

/**
 * x86-64 {@code struct user_regs_struct} (27 longs), as PTRACE_GETREGS/SETREGS transfer it. Offsets in bytes.
 */
public final class UserRegs {
    private UserRegs() {}

    public static final int SIZE = 27 * 8;

    public static final int R15 = 0, R14 = 8, R13 = 16, R12 = 24, RBP = 32, RBX = 40, R11 = 48, R10 = 56, R9 = 64,
            R8 = 72, RAX = 80, RCX = 88, RDX = 96, RSI = 104, RDI = 112, ORIG_RAX = 120, RIP = 128, CS = 136,
            EFLAGS = 144, RSP = 152, SS = 160, FS_BASE = 168, GS_BASE = 176, DS = 184, ES = 192, FS = 200, GS = 208;
}
