package dev.jvisor.sentry.arch;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.UserRegs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A task's general-purpose registers, held in native memory in {@code struct user_regs_struct} layout so the
 * ptrace platform can hand the segment to PTRACE_GETREGS/SETREGS without copying. Owned by the task thread.
 */
public final class Registers {
    private final MemorySegment seg;

    public Registers(Arena arena) {
        this.seg = arena.allocate(UserRegs.SIZE, 16);
    }

    /** The backing {@code user_regs_struct}. */
    public MemorySegment segment() {
        return seg;
    }

    public long get(int off) { return seg.get(JAVA_LONG, off); }
    public void set(int off, long v) { seg.set(JAVA_LONG, off, v); }

    public long rax() { return get(UserRegs.RAX); }
    public void rax(long v) { set(UserRegs.RAX, v); }
    public long origRax() { return get(UserRegs.ORIG_RAX); }
    public void origRax(long v) { set(UserRegs.ORIG_RAX, v); }
    public long rdi() { return get(UserRegs.RDI); }
    public void rdi(long v) { set(UserRegs.RDI, v); }
    public long rsi() { return get(UserRegs.RSI); }
    public void rsi(long v) { set(UserRegs.RSI, v); }
    public long rdx() { return get(UserRegs.RDX); }
    public void rdx(long v) { set(UserRegs.RDX, v); }
    public long r10() { return get(UserRegs.R10); }
    public void r10(long v) { set(UserRegs.R10, v); }
    public long r8() { return get(UserRegs.R8); }
    public void r8(long v) { set(UserRegs.R8, v); }
    public long r9() { return get(UserRegs.R9); }
    public void r9(long v) { set(UserRegs.R9, v); }
    public long rip() { return get(UserRegs.RIP); }
    public void rip(long v) { set(UserRegs.RIP, v); }
    public long rsp() { return get(UserRegs.RSP); }
    public void rsp(long v) { set(UserRegs.RSP, v); }
    public long rcx() { return get(UserRegs.RCX); }
    public long r11() { return get(UserRegs.R11); }
    public long eflags() { return get(UserRegs.EFLAGS); }
    public void eflags(long v) { set(UserRegs.EFLAGS, v); }
    public long fsBase() { return get(UserRegs.FS_BASE); }
    public void fsBase(long v) { set(UserRegs.FS_BASE, v); }
    public long gsBase() { return get(UserRegs.GS_BASE); }
    public void gsBase(long v) { set(UserRegs.GS_BASE, v); }

    /** Syscall argument {@code i} (0..5) in the x86-64 syscall convention: rdi, rsi, rdx, r10, r8, r9. */
    public long arg(int i) {
        return switch (i) {
            case 0 -> rdi();
            case 1 -> rsi();
            case 2 -> rdx();
            case 3 -> r10();
            case 4 -> r8();
            case 5 -> r9();
            default -> throw new IllegalArgumentException("syscall argument " + i);
        };
    }

    /**
     * Resets every register for a fresh user-mode start at {@code rip} with stack {@code rsp}, as execve does:
     * general registers zero, flags with only IF set, user segments for 64-bit mode, no FS/GS base.
     */
    public void resetForExec(long rip, long rsp) {
        seg.fill((byte) 0);
        rip(rip);
        rsp(rsp);
        eflags(0x202);
        set(UserRegs.CS, 0x33);
        set(UserRegs.SS, 0x2b);
    }

    public void copyFrom(Registers other) {
        MemorySegment.copy(other.seg, 0, seg, 0, UserRegs.SIZE);
    }
}
