package dev.jvisor.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.platform.ptrace.PtracePlatform;
import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.arch.Registers;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.Platform;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The emulated getpid round trip on the ptrace and systrap platforms ({@code -p platform=...}): a stub loops
 * {@code getpid}, and the benchmark thread (its tracer under ptrace, the sentry side of its control slot under
 * systrap) answers each one through {@link Context#switchToUser}. Beside it, a native getpid for scale.
 * The C floors for the same round trip are {@code ptrace_sysemu} and {@code systrap} in the shared floors
 * (run-getpid.sh runs them).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class PtraceGetpidBenchmark {
    /** The answer the stub expects; any other value makes it execute ud2, which fails the benchmark. */
    static final long FAKE = 0x1234567;

    /*
     * loop: mov eax, 39        b8 27 00 00 00
     *       syscall            0f 05
     *       cmp rax, FAKE      48 3d 67 45 23 01
     *       jne bad            75 02
     *       jmp loop           eb ef
     * bad:  ud2                0f 0b
     */
    static final String STUB_LOOP = "b827000000" + "0f05" + "483d67452301" + "7502" + "ebef" + "0f0b";

    /** Thread-scoped: JMH sets it up on the thread that runs the benchmark, which must be the stub's tracer. */
    @State(Scope.Thread)
    public static class Stub {
        /**
         * ptrace (PTRACE_SYSEMU round trips) or systrap (SIGSYS handler, registers over shared memory) with its
         * handoff forced to futexes on one CPU ({@code -futex}), to spinning on two ({@code -spin}), or adaptive.
         */
        @Param({"ptrace", "systrap-futex", "systrap-spin", "systrap-adaptive"})
        public String platform;

        int memfd;
        Platform p;
        AddressSpace as;
        Context ctx;
        Registers regs;

        @Setup(Level.Trial)
        public void start() {
            try (Arena a = Arena.ofConfined()) {
                memfd = (int) Host.check(Host.memfdCreate(a.allocateFrom("jvisor-bench"), Mman.MFD_CLOEXEC),
                        "memfd_create");
            }
            Host.check(Host.ftruncate(memfd, 4096), "ftruncate");
            long addr = Host.check(Host.mmap(0, 4096, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, memfd, 0),
                    "mmap");
            byte[] code = HexFormat.of().parseHex(STUB_LOOP);
            MemorySegment.copy(code, 0, MemorySegment.ofAddress(addr).reinterpret(4096), JAVA_BYTE, 0, code.length);
            Host.munmap(addr, 4096);

            if (platform.startsWith("systrap")) {
                String mode = platform.substring(platform.indexOf('-') + 1);
                System.setProperty("jvisor.systrap.spin", mode.equals("futex") ? "never"
                        : mode.equals("spin") ? "always" : "adaptive");
                p = SystrapPlatform.create(memfd);
            } else {
                p = PtracePlatform.create(memfd);
            }
            as = p.newAddressSpace();
            ctx = p.newContext();
            Host.check(as.map(0x400000, 4096, Mman.PROT_READ | Mman.PROT_EXEC, 0), "map");
            regs = new Registers(Arena.ofAuto());
            regs.resetForExec(0x400000, 0);
            if (ctx.switchToUser(as, regs) != Event.SYSCALL) {
                throw new IllegalStateException("stub did not reach its first getpid");
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            ctx.release();
            as.release();
            p.close();
            Host.close(memfd);
        }
    }

    @Benchmark
    public long emulatedGetpid(Stub s) {
        s.regs.rax(FAKE);
        Event e = s.ctx.switchToUser(s.as, s.regs);
        if (e != Event.SYSCALL) {
            throw new IllegalStateException("expected SYSCALL, got " + e);
        }
        return s.regs.origRax();
    }

    @Benchmark
    public int nativeGetpid() {
        return Host.getpid();
    }
}
