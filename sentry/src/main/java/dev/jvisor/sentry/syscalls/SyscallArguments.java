package dev.jvisor.sentry.syscalls;

import dev.jvisor.sentry.arch.Registers;

/**
 * The number and six arguments of the syscall being handled, read once from the registers. One instance per
 * task, reused for every syscall; owned by the task thread.
 */
public final class SyscallArguments {
    public long nr;
    public long a0, a1, a2, a3, a4, a5;

    public void load(Registers r) {
        nr = r.origRax();
        a0 = r.rdi();
        a1 = r.rsi();
        a2 = r.rdx();
        a3 = r.r10();
        a4 = r.r8();
        a5 = r.r9();
    }

    public long get(int i) {
        return switch (i) {
            case 0 -> a0;
            case 1 -> a1;
            case 2 -> a2;
            case 3 -> a3;
            case 4 -> a4;
            case 5 -> a5;
            default -> throw new IllegalArgumentException("argument " + i);
        };
    }

    /** Argument {@code i} as a C int (the upper 32 bits ignored, as the kernel does for int parameters). */
    public int i(int i) {
        return (int) get(i);
    }
}
