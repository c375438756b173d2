package dev.jvisor.platform.ptrace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The machine code stubs run, and where it lives. Sources: {@code src/main/asm/boot.S} and {@code stub.S}.
 *
 * <p>Every stub holds exactly one page of its own, {@link #STUB_ADDR}, just above {@link #MAX_USER_ADDRESS}, and
 * exactly one fd, the memory file at {@link #MEMFD_FD}.
 */
public final class StubCode {
    private StubCode() {}

    /** The fixed fd of the memory file in every stub. */
    public static final int MEMFD_FD = 100;

    /** The fixed fd of a flavor's control file (systrap), right after the memory file. */
    public static final int CONTROL_FD = 101;

    /** Where a flavor's code and data start in the stub page ({@link TemplateStub.Flavor}). */
    public static final int FLAVOR_OFFSET = 0x400;

    /** The stub page: fixed, at the top of the user address range (TASK_SIZE_MAX is 0x7ffffffff000). */
    public static final long STUB_ADDR = 0x7fff_fffe_0000L;
    public static final long STUB_LEN = 4096;

    /** Workload mappings stay below the stub page, so no MAP_FIXED can hit it. */
    static final long MAX_USER_ADDRESS = STUB_ADDR;

    /** Highest user address + 1 on x86-64 with 4-level paging; everything but the stub page below it goes. */
    static final long TASK_SIZE_MAX = 0x7fff_ffff_f000L;

    /** {@code syscall; int3}: an injected syscall stops with SIGTRAP at {@code SYSCALL_GADGET + 3}. */
    static final long SYSCALL_GADGET = STUB_ADDR;
    static final long SYSCALL_GADGET_TRAP = SYSCALL_GADGET + 3;

    /**
     * {@code syscall; test rax,rax; jz child; int3}: an injected clone of a new stub process. The parent stops at
     * {@code CLONE_GADGET + 8}; the child sets PR_SET_PDEATHSIG, leaves if the sentry is gone, then waits in
     * {@code pause()} until its tracer seizes and interrupts it.
     */
    static final long CLONE_GADGET = STUB_ADDR + 8;
    static final long CLONE_GADGET_TRAP = CLONE_GADGET + 8;

    /** The same for a new thread of a stub: the parent stops at {@code THREAD_GADGET + 8}; the child pauses. */
    static final long THREAD_GADGET = STUB_ADDR + 0x48;
    static final long THREAD_GADGET_TRAP = THREAD_GADGET + 8;

    /** Offsets of the 32-bit sentry pid the code compares getppid() with. */
    private static final int STUB_PPID_OFFSET = 0x50, BOOT_PPID_OFFSET = 0x58;

    /** 32 zero bytes in the stub page: an all-default {@code struct sigaction}, an empty sigset. */
    static final long ZEROS = STUB_ADDR + 0x80;

    /** A {@code stack_t} in the stub page with {@code ss_flags = SS_DISABLE}. */
    static final long ALTSTACK_DISABLE = STUB_ADDR + 0xa0;
    private static final int ALTSTACK_FLAGS_OFFSET = 0xa0 + 8;
    private static final int SS_DISABLE = 2;

    /** A {@code struct sock_fprog} in the stub page for the stub's seccomp filter (see {@link #filter()}). */
    static final long SECCOMP_FPROG = STUB_ADDR + 0x180;
    private static final int FILTER_OFFSET = 0x100, FPROG_OFFSET = 0x180;

    /** The stubs' name (comm), NUL-terminated, in the stub page: "jvisor-stub" in ps, not the JVM thread's. */
    static final long NAME = STUB_ADDR + 0x190;
    private static final int NAME_OFFSET = 0x190;
    private static final byte[] NAME_BYTES = "jvisor-stub".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int STUB_DATA_END = 0x1a0;

    /** stub.S: the stub page's code (0x54 bytes, padded to whole words for PTRACE_POKEDATA). */
    private static final byte[] STUB = HexFormat.of().parseHex(
            "0f05cc0f1f440000"                          // 00: syscall; int3; nop
            + "0f054885c07401cc"                        // 08: syscall; test rax,rax; jz 10; int3
            + "b89d000000bf01000000be090000000f05"      // 10: prctl(PR_SET_PDEATHSIG, SIGKILL)
            + "b86e0000000f05"                          // 21: getppid()
            + "3b05220000007509"                        // 28: cmp eax,[ppid]; jne 39
            + "b8220000000f05ebf7"                      // 30: pause(); jmp 30
            + "b8e7000000bf010000000f050f0b90"          // 39: exit_group(1); ud2; nop
            + "0f054885c074e1cc"                        // 48: syscall; test rax,rax; jz 30; int3
            + "00000000" + "00000000");                 // 50: ppid; pad

    /** boot.S: what the first child of the JVM runs (glibc clone's fn). The injection gadget is at 0x45. */
    private static final byte[] BOOT = HexFormat.of().parseHex(
            "b89d000000bf01000000be090000000f05"        // 00: prctl(PR_SET_PDEATHSIG, SIGKILL)
            + "b86e0000000f05"                          // 11: getppid()
            + "3b053a0000007528"                        // 18: cmp eax,[ppid]; jne 48
            + "b86500000031ff31f631d24531d20f05"        // 20: ptrace(PTRACE_TRACEME, 0, 0, 0)
            + "b8270000000f0589c7be13000000b83e0000000f05" // 30: kill(getpid(), SIGSTOP)
            + "0f05cc"                                  // 45: syscall; int3
            + "b8e7000000bf010000000f050f0b"            // 48: exit_group(1); ud2
            + "6690"                                    // 56: nop
            + "00000000");                              // 58: ppid

    static final int BOOT_GADGET = 0x45;

    /** The stub page's contents (code, then data) with {@code sentryPid} filled in. */
    static byte[] stub(int sentryPid, byte[] flavorCode) {
        if (flavorCode.length > STUB_LEN - FLAVOR_OFFSET) {
            throw new IllegalArgumentException("flavor code too long");
        }
        int len = flavorCode.length == 0 ? STUB_DATA_END : FLAVOR_OFFSET + ((flavorCode.length + 7) & ~7);
        ByteBuffer page = ByteBuffer.wrap(Arrays.copyOf(withPid(STUB, STUB_PPID_OFFSET, sentryPid), len))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (flavorCode.length > 0) {
            page.put(FLAVOR_OFFSET, flavorCode);
        }
        page.put(ALTSTACK_FLAGS_OFFSET, (byte) SS_DISABLE);
        int[][] filter = filter();
        for (int i = 0; i < filter.length; i++) {
            int off = FILTER_OFFSET + 8 * i;
            page.putShort(off, (short) filter[i][0]);
            page.put(off + 2, (byte) filter[i][1]);
            page.put(off + 3, (byte) filter[i][2]);
            page.putInt(off + 4, filter[i][3]);
        }
        page.putShort(FPROG_OFFSET, (short) filter.length);
        page.putLong(FPROG_OFFSET + 8, STUB_ADDR + FILTER_OFFSET);
        page.put(NAME_OFFSET, NAME_BYTES);
        return page.array();
    }

    // Classic BPF, as in linux/filter.h and linux/seccomp.h.
    private static final int LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, RET_K = 0x06;
    private static final int SECCOMP_RET_KILL_PROCESS = 0x8000_0000, SECCOMP_RET_TRAP = 0x0003_0000,
            SECCOMP_RET_ALLOW = 0x7fff_0000;
    private static final int AUDIT_ARCH_X86_64 = 0xc000_003e;
    private static final int DATA_ARCH = 4, DATA_IP_LO = 8, DATA_IP_HI = 12;

    /**
     * The stub's seccomp filter, defence in depth behind PTRACE_SYSEMU (which stops workload syscalls before
     * seccomp ever sees them): syscalls from the stub page (injected ones, the clone child's) are allowed; a
     * call from the [vsyscall] page, which the kernel emulates without any ptrace stop, gets SIGSYS, which the
     * tracer turns into a syscall for the sentry; any other syscall kills the stub.
     * Rows: {code, jt, jf, k}; a jump goes to row + 1 + offset.
     */
    static int[][] filter() {
        int stubHi = (int) (STUB_ADDR >>> 32), stubLo = (int) STUB_ADDR;
        return new int[][] {
            {LD_W_ABS, 0, 0, DATA_ARCH},                         // 0
            {JEQ_K, 0, 11, AUDIT_ARCH_X86_64},                   // 1: else kill
            {LD_W_ABS, 0, 0, DATA_IP_HI},                        // 2
            {JEQ_K, 0, 3, stubHi},                               // 3: else 7
            {LD_W_ABS, 0, 0, DATA_IP_LO},                        // 4
            {JGE_K, 0, 7, stubLo},                               // 5: below the stub page: kill
            {JGE_K, 6, 4, stubLo + (int) STUB_LEN},              // 6: above it: kill; in it: allow
            {JEQ_K, 0, 5, 0xffff_ffff},                          // 7: not the top 4 GiB: kill
            {LD_W_ABS, 0, 0, DATA_IP_LO},                        // 8
            {JGE_K, 0, 3, 0xff60_0000},                          // 9: below [vsyscall]: kill
            {JGE_K, 2, 1, 0xff60_1000},                          // 10: above it: kill; in it: trap
            {RET_K, 0, 0, SECCOMP_RET_ALLOW},                    // 11
            {RET_K, 0, 0, SECCOMP_RET_TRAP},                     // 12
            {RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS},             // 13
        };
    }

    /** The boot code with {@code sentryPid} filled in. */
    static byte[] boot(int sentryPid) {
        return withPid(BOOT, BOOT_PPID_OFFSET, sentryPid);
    }

    private static byte[] withPid(byte[] code, int offset, int pid) {
        byte[] b = code.clone();
        for (int i = 0; i < 4; i++) {
            b[offset + i] = (byte) (pid >>> (8 * i));
        }
        return b;
    }
}
