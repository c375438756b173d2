package dev.jvisor.platform.systrap;

import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Sysno;
import dev.jvisor.platform.ptrace.StubCode;
import dev.jvisor.platform.ptrace.TemplateStub;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The systrap part of the stub page (source: {@code src/main/asm/systrap.S}), at
 * {@code STUB_ADDR + StubCode.FLAVOR_OFFSET}: the signal handler every stub thread runs for every signal, its
 * {@code struct sigaction}, and the two seccomp filters.
 *
 * <p>The handler runs on the thread's alternate stack, which lies in the thread's slot of the control file
 * ({@link Slot}): the kernel writes the whole signal frame (registers, FP state, siginfo) into memory the
 * sentry reads. It publishes the frame, waits for the sentry's answer (spin, then futex), runs the syscall the
 * sentry asks for if any (and waits again), and returns through rt_sigreturn with the registers the sentry wrote.
 */
final class SystrapCode {
    private SystrapCode() {}

    private static final long BASE = StubCode.STUB_ADDR + StubCode.FLAVOR_OFFSET;

    /** The handler's entry. */
    static final long HANDLER = BASE;
    /** The address after the handler's one {@code syscall} instruction: the only one the runtime filter allows. */
    static final long SYSCALL_SITE_END = BASE + 0x118;
    /** The restorer the kernel insists on (never used: the handler does its own rt_sigreturn). */
    static final long RESTORER = BASE + 0x111;
    /** {@code int3}: a new stub thread's first instruction, whose SIGTRAP makes its first signal frame. */
    static final long BOOT_TRAP = BASE + 0x120;

    private static final int SIGACTION_OFF = 0x180, TEMPLATE_FPROG_OFF = 0x1a0, RUNTIME_FPROG_OFF = 0x1b0,
            TEMPLATE_FILTER_OFF = 0x200, RUNTIME_FILTER_OFF = 0x280, END = 0x380;
    /** The {@code struct sigaction} installed for every catchable signal in the template. */
    static final long SIGACTION = BASE + SIGACTION_OFF;
    /** The template's filter: trap every syscall not made from the stub page. */
    static final long TEMPLATE_FPROG = BASE + TEMPLATE_FPROG_OFF;
    /** Each stub thread's filter, stacked on the template's: from the syscall site only the allowlist. */
    static final long RUNTIME_FPROG = BASE + RUNTIME_FPROG_OFF;

    private static final byte[] HANDLER_CODE = HexFormat.of().parseHex(
            "4889e34881e30000ffff4989d489bb800000004889b38800000048899390000000f3480faec0488983980000"
            + "00f3480faec8488983a00000008b03ffc07502ffc04189c58703837b040074174889dfbe01000000ba010000"
            + "00b8ca000000e8b30000008b4b4844396b40743f85c97406f390ffc9ebf0b8010000008743448b53404439ea"
            + "741e488d7b4031f64531d2b8ca000000e87d000000c743440000000031c9ebc2c743440000000083bbc00000"
            + "00017542488b83c8000000488bbbd0000000488bb3d8000000488b93e00000004c8b93e80000004c8b83f000"
            + "00004c8b8bf8000000e82c00000048898300010000e943ffffff488b8398000000f3480faed0488b83a00000"
            + "00f3480faed84c89e4b80f0000000f05c30f1f8000000000cc0f0b");

    // struct sigaction flags, and the signal set that blocks everything while the handler runs.
    private static final long SA_SIGINFO = 4, SA_ONSTACK = 0x0800_0000, SA_RESTORER = 0x0400_0000;

    // Classic BPF, as in linux/filter.h and linux/seccomp.h.
    private static final int LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, RET_K = 0x06;
    static final int SECCOMP_RET_KILL_PROCESS = 0x8000_0000, SECCOMP_RET_TRAP = 0x0003_0000,
            SECCOMP_RET_ALLOW = 0x7fff_0000;
    static final int AUDIT_ARCH_X86_64 = 0xc000_003e, AUDIT_ARCH_I386 = 0x4000_0003;
    private static final int DATA_NR = 0, DATA_ARCH = 4, DATA_IP_LO = 8, DATA_IP_HI = 12, DATA_ARGS = 16;
    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1;

    /** The template flavor: this code, the control file at {@code StubCode.CONTROL_FD}, handlers, its filter. */
    static TemplateStub.Flavor flavor(int controlFd) {
        return new TemplateStub.Flavor(code(), controlFd, SIGACTION, TEMPLATE_FPROG);
    }

    /** The flavor's bytes, from {@code FLAVOR_OFFSET}. */
    static byte[] code() {
        ByteBuffer b = ByteBuffer.allocate(END).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, HANDLER_CODE);
        b.putLong(SIGACTION_OFF, HANDLER);
        b.putLong(SIGACTION_OFF + 8, SA_SIGINFO | SA_ONSTACK | SA_RESTORER);
        b.putLong(SIGACTION_OFF + 16, RESTORER);
        b.putLong(SIGACTION_OFF + 24, -1L); // block every signal while the handler runs
        putFilter(b, TEMPLATE_FILTER_OFF, TEMPLATE_FPROG_OFF, templateFilter(), RUNTIME_FILTER_OFF);
        putFilter(b, RUNTIME_FILTER_OFF, RUNTIME_FPROG_OFF, runtimeFilter(), END);
        return b.array();
    }

    private static void putFilter(ByteBuffer b, int off, int fprogOff, int[][] rows, int limit) {
        if (off + 8 * rows.length > limit) {
            throw new IllegalStateException("seccomp filter too long");
        }
        for (int i = 0; i < rows.length; i++) {
            int o = off + 8 * i;
            b.putShort(o, (short) rows[i][0]);
            b.put(o + 2, (byte) rows[i][1]);
            b.put(o + 3, (byte) rows[i][2]);
            b.putInt(o + 4, rows[i][3]);
        }
        b.putShort(fprogOff, (short) rows.length);
        b.putLong(fprogOff + 8, BASE + off);
    }

    /**
     * The template's filter (inherited by every stub thread): syscalls from the stub page are allowed (the
     * template's cleaning, the clone gadgets, the set-up of a stub thread, all injected by ptrace); every other
     * syscall, {@code int 0x80} and {@code [vsyscall]} included, gets SIGSYS. Rows: {code, jt, jf, k}; a jump
     * goes to row + 1 + offset.
     */
    static int[][] templateFilter() {
        int stubHi = (int) (StubCode.STUB_ADDR >>> 32), stubLo = (int) StubCode.STUB_ADDR;
        return new int[][] {
            {LD_W_ABS, 0, 0, DATA_ARCH},                         // 0
            {JEQ_K, 0, 5, AUDIT_ARCH_X86_64},                    // 1: else trap
            {LD_W_ABS, 0, 0, DATA_IP_HI},                        // 2
            {JEQ_K, 0, 3, stubHi},                               // 3: else trap
            {LD_W_ABS, 0, 0, DATA_IP_LO},                        // 4
            {JGE_K, 0, 1, stubLo},                               // 5: below the stub page: trap
            {JGE_K, 0, 1, stubLo + (int) StubCode.STUB_LEN},     // 6: above it: trap; in it: allow
            {RET_K, 0, 0, SECCOMP_RET_TRAP},                     // 7
            {RET_K, 0, 0, SECCOMP_RET_ALLOW},                    // 8
        };
    }

    /**
     * A stub thread's own filter, installed last in its set-up: only a syscall made by the handler's one
     * {@code syscall} instruction escapes the trap, and only rt_sigreturn, futex WAIT/WAKE, munmap, mprotect,
     * exit, and mmap of the memory file ({@code MAP_SHARED|MAP_FIXED} of fd {@code StubCode.MEMFD_FD}); any other
     * call from there kills the stub process. Every syscall from anywhere else traps.
     */
    static int[][] runtimeFilter() {
        int stubHi = (int) (SYSCALL_SITE_END >>> 32), siteLo = (int) SYSCALL_SITE_END;
        return new int[][] {
            {LD_W_ABS, 0, 0, DATA_ARCH},                         // 0
            {JEQ_K, 0, 19, AUDIT_ARCH_X86_64},                   // 1: else trap (21)
            {LD_W_ABS, 0, 0, DATA_IP_HI},                        // 2
            {JEQ_K, 0, 17, stubHi},                              // 3: else trap
            {LD_W_ABS, 0, 0, DATA_IP_LO},                        // 4
            {JEQ_K, 0, 15, siteLo},                              // 5: else trap
            {LD_W_ABS, 0, 0, DATA_NR},                           // 6
            {JEQ_K, 14, 0, Sysno.RT_SIGRETURN},                  // 7: allow (22)
            {JEQ_K, 13, 0, Sysno.MUNMAP},                        // 8: allow
            {JEQ_K, 12, 0, Sysno.MPROTECT},                      // 9: allow
            {JEQ_K, 11, 0, Sysno.EXIT},                          // 10: allow
            {JEQ_K, 0, 4, Sysno.FUTEX},                          // 11: else 16
            {LD_W_ABS, 0, 0, DATA_ARGS + 8},                     // 12: futex op
            {JEQ_K, 8, 0, FUTEX_WAIT},                           // 13: allow
            {JEQ_K, 7, 0, FUTEX_WAKE},                           // 14: allow
            {RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS},             // 15
            {JEQ_K, 0, 6, Sysno.MMAP},                           // 16: else kill (23)
            {LD_W_ABS, 0, 0, DATA_ARGS + 4 * 8},                 // 17: fd
            {JEQ_K, 0, 4, StubCode.MEMFD_FD},                    // 18: else kill
            {LD_W_ABS, 0, 0, DATA_ARGS + 3 * 8},                 // 19: flags
            {JEQ_K, 1, 2, Mman.MAP_SHARED | Mman.MAP_FIXED},     // 20: allow, else kill
            {RET_K, 0, 0, SECCOMP_RET_TRAP},                     // 21
            {RET_K, 0, 0, SECCOMP_RET_ALLOW},                    // 22
            {RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS},             // 23
        };
    }
}
