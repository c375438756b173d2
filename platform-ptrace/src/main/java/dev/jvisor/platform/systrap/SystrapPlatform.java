package dev.jvisor.platform.systrap;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.HostException;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.platform.ptrace.CpuPinning;
import dev.jvisor.platform.ptrace.TemplateStub;
import dev.jvisor.platform.ptrace.Tracee;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.platform.Platform;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seccomp-trap platform ({@code runsc --platform=systrap}): stubs are made as for ptrace (cloned from a
 * template by a platform thread that traces their leaders), but each stub thread is detached once set up, and
 * every workload syscall or fault raises a signal whose handler, in the stub, hands the signal frame to the
 * sentry through shared memory ({@link Slot}). See this module's README.
 *
 * <p>Thread rules: as for ptrace, a context and a task thread's stub threads belong to that (platform) thread;
 * {@link Context#release()} ends them. {@link AddressSpace#release()} and {@link #close()} may run on any thread.
 * Stubs die with the sentry: each leader is traced by the platform thread with PTRACE_O_EXITKILL and has
 * PR_SET_PDEATHSIG, and SIGKILL takes the whole process, detached threads included.
 */
public final class SystrapPlatform implements Platform {
    /** Sent to a stub thread to make it come back (the handler reports it as INTERRUPT); ignored by default. */
    static final int INTERRUPT_SIGNAL = Signals.SIGURG;

    private final TemplateStub template;
    private final ControlFile control;
    private final CpuPinning cpus = new CpuPinning();
    private final SpinPolicy spin = SpinPolicy.fromProperty(cpus.count());
    private final Set<SystrapAddressSpace> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private SystrapPlatform(TemplateStub template, ControlFile control) {
        this.template = template;
        this.control = control;
    }

    /** Starts the platform: the control file, then the template stub (which inherits it). */
    public static SystrapPlatform create(int memoryFileFd) {
        if (memoryFileFd < 0) {
            throw new IllegalArgumentException("bad memory file fd " + memoryFileFd);
        }
        ControlFile control = ControlFile.create();
        try {
            return new SystrapPlatform(TemplateStub.start(memoryFileFd, SystrapCode.flavor(control.fd())), control);
        } catch (RuntimeException e) {
            control.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "systrap";
    }

    /** Host pid of the stub process behind {@code as} (for tests and diagnostics). */
    public static int stubPid(AddressSpace as) {
        return ((SystrapAddressSpace) as).pid();
    }

    /** Host tid of the calling thread's stub thread in {@code as}, or -1 (for tests and diagnostics). */
    public static int stubTid(AddressSpace as) {
        Slot s = ((SystrapAddressSpace) as).slotOf(Thread.currentThread());
        return s == null ? -1 : s.tid;
    }

    /** Stub address of the calling thread's control slot in {@code as}, or -1 (for tests and diagnostics). */
    public static long slotAddress(AddressSpace as) {
        Slot s = ((SystrapAddressSpace) as).slotOf(Thread.currentThread());
        return s == null ? -1 : s.stubAddr;
    }

    /** The address of the handler's one syscall instruction, the only one the runtime filter lets through. */
    public static long stubSyscallAddress() {
        return SystrapCode.SYSCALL_SITE_END - 2;
    }

    /** The template stub's host pid (for tests and diagnostics). */
    public int templatePid() {
        return template.pid();
    }

    @Override
    public AddressSpace newAddressSpace() {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a systrap task thread must be a platform thread");
        }
        if (closed) {
            throw new IllegalStateException("systrap platform closed");
        }
        Tracee leader = template.newProcess();
        int pidfd = Host.pidfdOpen(leader.pid, 0);
        if (pidfd < 0) {
            Host.kill(leader.pid, Signals.SIGKILL);
            Host.wait4(leader.pid, Arena.ofAuto().allocate(4), Ptrace.WALL);
            throw new HostException("pidfd_open of a new stub", -pidfd);
        }
        SystrapAddressSpace as = new SystrapAddressSpace(this, leader, pidfd);
        live.add(as);
        if (closed) {
            as.release();
            throw new IllegalStateException("systrap platform closed");
        }
        try {
            if (as.currentThread() == null) {
                throw new IllegalStateException("systrap: the new stub " + leader.pid + " died during set-up");
            }
        } catch (RuntimeException e) {
            as.release();
            throw e;
        }
        Log.debug("systrap: stub " + leader.pid + " for " + Thread.currentThread().getName());
        return as;
    }

    @Override
    public Context newContext() {
        return new SystrapContext(this);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<SystrapAddressSpace> all = new ArrayList<>(live);
        for (SystrapAddressSpace as : all) {
            as.kill();
        }
        for (SystrapAddressSpace as : all) {
            as.reap();
        }
        live.clear();
        template.shutdown();
        control.close();
    }

    void forget(SystrapAddressSpace as) {
        live.remove(as);
    }

    TemplateStub template() {
        return template;
    }

    ControlFile control() {
        return control;
    }

    void detachEverywhere(Thread thread) {
        for (SystrapAddressSpace as : live) {
            as.detach(thread);
        }
    }

    void pin(int tid) {
        cpus.pin(tid);
    }

    /** Moves stub thread {@code tid} to another CPU than the calling task thread's (a split context). */
    void pinElsewhere(int tid) {
        cpus.pinElsewhere(tid);
    }

    /** When task threads and their stub threads spin rather than sleep (see {@link SpinPolicy}). */
    SpinPolicy spinPolicy() {
        return spin;
    }

    /** How many CPUs the platform spreads threads over (the online ones). */
    public int cpus() {
        return cpus.count();
    }

    /** How many contexts spin on their own CPU pair now (for tests and diagnostics). */
    public int splitContexts() {
        return spin.splitCount();
    }
}
