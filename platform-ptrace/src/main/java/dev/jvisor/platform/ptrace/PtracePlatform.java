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
 * The ptrace platform: each address space is a stub process cloned from a clean template stub; each task thread
 * that runs in it traces a stub thread of its own there and runs workload code with PTRACE_SYSEMU. See this
 * module's README for the stub's lifecycle.
 *
 * <p>Thread rules: task threads are platform threads, never virtual ones (ptrace is per thread). A context and a
 * task thread's stub threads belong to that thread. A stub thread's death kills its whole stub process when its
 * tracer thread ends (PTRACE_O_EXITKILL), so a task thread calls {@link Context#release()} before it ends: that
 * ends only its own stub threads. {@link AddressSpace#release()} and {@link #close()} may run on any thread.
 *
 * <p>Events: {@code SYSCALL} also reports a call into {@code [vsyscall]} (the kernel emulates those without a
 * ptrace stop; the stub's seccomp filter traps them), with RIP already at the caller's return address: the
 * sentry answers it like any syscall and must not restart it.
 */
public final class PtracePlatform implements Platform {
    private final TemplateStub template;
    private final CpuPinning cpus;
    private final Set<PtraceAddressSpace> live = ConcurrentHashMap.newKeySet();
    private final FpState initFp = new FpState(Arena.ofAuto());
    private volatile boolean closed;

    private PtracePlatform(TemplateStub template, CpuPinning cpus) {
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
        return new PtracePlatform(TemplateStub.start(memoryFileFd), new CpuPinning());
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

    /** Host pid of the stub process behind {@code as} (for tests and diagnostics). */
    public static int stubPid(AddressSpace as) {
        return ((PtraceAddressSpace) as).pid();
    }

    /** Host tid of the calling thread's stub thread in {@code as}, or -1 (for tests and diagnostics). */
    public static int stubTid(AddressSpace as) {
        Tracee t = ((PtraceAddressSpace) as).threadOf(Thread.currentThread());
        return t == null ? -1 : t.pid;
    }

    /**
     * Creates a stub process and, for the calling thread, a stub thread in it that this thread traces (the
     * usual case: the thread goes on to map and run in it). Other task threads get theirs on first use.
     */
    @Override
    public AddressSpace newAddressSpace() {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a ptrace tracer must be a platform thread, not a virtual thread");
        }
        if (closed) {
            throw new IllegalStateException("ptrace platform closed");
        }
        Tracee leader = template.newProcess();
        int pidfd = Host.pidfdOpen(leader.pid, 0);
        if (pidfd < 0) {
            Host.kill(leader.pid, Signals.SIGKILL); // unreaped, so the pid is still its own
            Host.wait4(leader.pid, Arena.ofAuto().allocate(4), Ptrace.WALL); // any thread of ours may reap it
            throw new HostException("pidfd_open of a new stub", -pidfd);
        }
        PtraceAddressSpace as = new PtraceAddressSpace(this, leader, pidfd);
        live.add(as);
        if (closed) { // close() ran meanwhile and did not see this one
            as.release();
            throw new IllegalStateException("ptrace platform closed");
        }
        try {
            as.currentThread();
        } catch (RuntimeException e) {
            as.release();
            throw e;
        }
        Log.debug("ptrace: stub " + leader.pid + " for " + Thread.currentThread().getName());
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

    TemplateStub template() {
        return template;
    }

    void detachEverywhere(Thread thread) {
        for (PtraceAddressSpace as : live) {
            as.detach(thread);
        }
    }

    int xstateSize() {
        return template.xstateSize();
    }

    FpState initFpState() {
        return initFp;
    }

    /** Pins stub thread {@code tid} and the calling (tracer) thread to one CPU: see {@link CpuPinning}. */
    void pin(int tid) {
        cpus.pin(tid);
    }
}
