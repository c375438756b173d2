package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.HostException;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.arch.FpState;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Platform;
import java.lang.foreign.Arena;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ptrace platform: each address space is a stub process cloned from a clean template stub and traced, with
 * PTRACE_SYSEMU, by the task thread that created it. See this module's README for the stub's lifecycle.
 *
 * <p>Thread rules: {@link #newAddressSpace()} and {@link #newContext()} run on the task thread that will use the
 * result (a platform thread, never a virtual one), which becomes the stub's tracer. A stub dies with its tracer
 * thread (PTRACE_O_EXITKILL), so a task thread releases its address spaces before it ends. {@link #close()} may
 * run anywhere.
 */
public final class PtracePlatform implements Platform {
    private final TemplateStub template;
    private final int[] cpus;
    private final AtomicInteger nextCpu = new AtomicInteger();
    private final Set<PtraceAddressSpace> live = ConcurrentHashMap.newKeySet();
    private final FpState initFp = new FpState(Arena.ofAuto());
    private volatile boolean closed;

    private PtracePlatform(TemplateStub template, int[] cpus) {
        this.template = template;
        this.cpus = cpus;
    }

    /**
     * Starts the platform: clones the template stub from the JVM and cleans it. {@code memoryFileFd} is the
     * sentry's memory file; every stub holds it at fd {@value StubCode#MEMFD_FD}.
     */
    public static PtracePlatform create(int memoryFileFd) {
        if (memoryFileFd < 0) {
            throw new IllegalArgumentException("bad memory file fd " + memoryFileFd);
        }
        return new PtracePlatform(TemplateStub.start(memoryFileFd), allowedCpus());
    }

    @Override
    public String name() {
        return "ptrace";
    }

    /** The fd at which every stub holds the memory file. */
    public static int stubMemoryFileFd() {
        return StubCode.MEMFD_FD;
    }

    /** The address of the stub's own page; workload mappings stay below it. */
    public static long stubAddress() {
        return StubCode.STUB_ADDR;
    }

    /** The template stub's host pid (for tests and diagnostics). */
    public int templatePid() {
        return template.pid();
    }

    /** Host pid of the stub behind {@code as} (for tests and diagnostics). */
    public static int stubPid(AddressSpace as) {
        return ((PtraceAddressSpace) as).pid();
    }

    @Override
    public AddressSpace newAddressSpace() {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a ptrace tracer must be a platform thread, not a virtual thread");
        }
        if (closed) {
            throw new IllegalStateException("ptrace platform closed");
        }
        return adopt(template.cloneStub());
    }

    /** Clones a stub for {@link #adopt} (tests use the two halves to order the stub's stop and the seize). */
    int cloneStub() {
        return template.cloneStub();
    }

    /** Makes the calling thread the tracer of the freshly cloned stub {@code pid}. */
    PtraceAddressSpace adopt(int pid) {
        Tracee t = new Tracee(pid, Arena.ofAuto());
        // The new stub is the sentry's untraced child, stopping itself with SIGSTOP. This thread becomes its
        // tracer; the template's thread never traces it.
        long r = Host.ptrace(Ptrace.SEIZE, pid, 0, Ptrace.O_EXITKILL | Ptrace.O_TRACESYSGOOD);
        if (r < 0) {
            Host.kill(pid, Signals.SIGKILL); // still our unreaped child, so the pid is its own
            t.waitStatus();
            throw new HostException("PTRACE_SEIZE of a new stub", (int) -r);
        }
        int pidfd = Host.pidfdOpen(pid, 0);
        // Either a signal-delivery-stop for its SIGSTOP (seized first) or a group-stop (stopped first).
        int st = t.waitStatus();
        if (pidfd < 0 || !Ptrace.stopped(st)) {
            t.killAndReap();
            if (pidfd >= 0) {
                Host.close(pidfd);
            }
            throw new IllegalStateException("new stub " + pid + " did not stop (status 0x" + Integer.toHexString(st)
                    + ", pidfd " + pidfd + ")");
        }
        t.captureBaseRegisters();
        int cpu = cpuFor(Thread.currentThread());
        pin(pid, cpu);
        pin(0, cpu);
        PtraceAddressSpace as = new PtraceAddressSpace(this, t, pidfd, cpu);
        live.add(as);
        if (closed) { // close() ran meanwhile and did not see this one
            as.release();
            throw new IllegalStateException("ptrace platform closed");
        }
        Log.debug("ptrace: stub " + pid + " traced by " + Thread.currentThread().getName() + " on cpu " + cpu);
        return as;
    }

    @Override
    public Context newContext() {
        return new PtraceContext(this);
    }

    /** Kills every stub and the template, and reaps them all. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<PtraceAddressSpace> all = new ArrayList<>(live);
        for (PtraceAddressSpace as : all) {
            as.kill();
        }
        for (PtraceAddressSpace as : all) {
            as.reap();
        }
        live.clear();
        template.shutdown();
    }

    void forget(PtraceAddressSpace as) {
        live.remove(as);
    }

    int xstateSize() {
        return template.xstateSize();
    }

    FpState initFpState() {
        return initFp;
    }

    /** A thread that already traces a stub keeps its CPU; others take the next CPU round-robin. */
    private int cpuFor(Thread thread) {
        for (PtraceAddressSpace as : live) {
            if (as.owner == thread) {
                return as.cpu;
            }
        }
        return cpus[Math.floorMod(nextCpu.getAndIncrement(), cpus.length)];
    }

    /** Pins {@code tid} (0: the calling thread) to {@code cpu}: a same-CPU ptrace round trip is 3-5x cheaper. */
    private static void pin(int tid, int cpu) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mask = a.allocate(128, 8);
            mask.set(JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int r = Host.schedSetaffinity(tid, mask);
            if (r < 0) {
                Log.debug("ptrace: sched_setaffinity(" + tid + ", cpu " + cpu + ") failed: " + r);
            }
        }
    }

    /**
     * The online CPUs (from sysfs, not the calling thread's affinity, which an earlier pin may have narrowed).
     * Falls back to CPU 0 alone.
     */
    private static int[] allowedCpus() {
        List<Integer> list = new ArrayList<>();
        try {
            String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
            for (String part : online.split(",")) {
                String[] ends = part.split("-");
                int lo = Integer.parseInt(ends[0].trim());
                int hi = ends.length > 1 ? Integer.parseInt(ends[1].trim()) : lo;
                for (int c = lo; c <= hi && c < 1024; c++) {
                    list.add(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.debug("ptrace: cannot read the online CPUs (" + e + "); pinning everything to CPU 0");
        }
        if (list.isEmpty()) {
            list.add(0);
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
