package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.HostException;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.arch.FpState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * The clean template stub, from which every address space's stub process is cloned, and the platform thread
 * that traces it and every stub process's leader thread.
 *
 * <p>The template is the first child of the JVM (glibc clone running {@code boot.S}). Cloned stubs use
 * CLONE_PARENT, so this thread is their parent too: PR_SET_PDEATHSIG fires when the parent <em>thread</em>
 * exits, so the thread lives until {@link #shutdown()}, after which no stub remains. A stub's leader thread
 * never runs workload code: this thread injects into it the clones of the stub threads that task threads trace.
 */
public final class TemplateStub {
    // Linux constants used only here.
    private static final int PR_SET_PDEATHSIG = 1, PR_SET_NAME = 15, PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_PARENT = 0x0000_8000, CLONE_THREAD = 0x0001_0000, CLONE_SYSVSEM = 0x0004_0000,
            CLONE_UNTRACED = 0x0080_0000;
    private static final int CLONE_THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
            | CLONE_SYSVSEM | CLONE_UNTRACED;
    private static final int PTRACE_GET_RSEQ_CONFIGURATION = 0x420f;
    private static final int RSEQ_FLAG_UNREGISTER = 1;

    private final int memfd;
    private final Flavor flavor;
    private final int sentryPid = Host.getpid();
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final CompletableFuture<Object> booted = new CompletableFuture<>();
    private final Thread thread;

    /** Size of the XSAVE user area (NT_X86_XSTATE) on this CPU, or -1 if the CPU has no XSAVE. */
    private volatile int xstateSize = -1;

    /** Work for the platform thread; {@code work == null} ends it. */
    private record Request(Supplier<?> work, CompletableFuture<Object> reply) {}

    /**
     * What a platform other than ptrace adds to the template: code at {@link StubCode#FLAVOR_OFFSET} of the stub
     * page, one more fd ({@link StubCode#CONTROL_FD}), a handler for every catchable signal, and its own
     * seccomp filter instead of the ptrace one.
     *
     * @param code bytes written at {@code STUB_ADDR + FLAVOR_OFFSET} (code and data, up to the page end)
     * @param controlFd an fd of the JVM the stubs hold at {@link StubCode#CONTROL_FD}, or -1
     * @param sigaction address in the stub page of the {@code struct sigaction} for every catchable signal, or 0
     * @param filter address in the stub page of the {@code sock_fprog} to install
     */
    public record Flavor(byte[] code, int controlFd, long sigaction, long filter) {}

    /** The ptrace platform's template: no extra code, fd or handler; the ptrace filter. */
    static final Flavor PTRACE = new Flavor(new byte[0], -1, 0, StubCode.SECCOMP_FPROG);

    private TemplateStub(int memfd, Flavor flavor) {
        this.memfd = memfd;
        this.flavor = flavor;
        this.thread = Thread.ofPlatform().name("jvisor-ptrace-template").daemon().unstarted(this::run);
    }

    /** Starts the platform thread and waits until the template is clean. */
    static TemplateStub start(int memfd) {
        return start(memfd, PTRACE);
    }

    /** Starts the platform thread and waits until the template, with {@code flavor}'s additions, is clean. */
    public static TemplateStub start(int memfd, Flavor flavor) {
        TemplateStub t = new TemplateStub(memfd, flavor);
        t.thread.start();
        t.await(t.booted);
        return t;
    }

    public int pid() {
        return (Integer) await(booted);
    }

    public int xstateSize() {
        return xstateSize;
    }

    /**
     * Clones a new stub process from the template. This thread seizes its leader thread, which only ever
     * runs syscalls injected by this thread. Returns the leader's tracee (for this thread's use only).
     */
    public Tracee newProcess() {
        return call(() -> {
            long pid = template.inject(StubCode.CLONE_GADGET, StubCode.CLONE_GADGET_TRAP, Sysno.CLONE,
                    CLONE_PARENT | CLONE_UNTRACED, 0, 0, 0, 0, 0);
            template.takeSignalSeen(); // the template has no workload to interrupt
            Host.check(pid, "clone of the template stub");
            Tracee leader;
            try {
                leader = Tracee.seize((int) pid, Arena.ofAuto());
            } catch (RuntimeException e) {
                Host.kill((int) pid, Signals.SIGKILL); // our unreaped child: the pid is still its own
                Host.wait4((int) pid, Arena.ofAuto().allocate(4), Ptrace.WALL);
                throw e;
            }
            // The seize may have stopped it before its own prctl: set the parent-death signal again.
            long r = leader.syscall(Sysno.PRCTL, PR_SET_PDEATHSIG, Signals.SIGKILL, 0, 0, 0, 0);
            if (r < 0) {
                leader.killAndReap();
                throw new HostException("prctl(PR_SET_PDEATHSIG) in a new stub", (int) -r);
            }
            leader.takeSignalSeen();
            return leader;
        });
    }

    /** Clones a new thread in the stub process led by {@code leader}; returns its tid. It waits in pause(). */
    public int newThread(Tracee leader) {
        return call(() -> {
            long tid = leader.inject(StubCode.THREAD_GADGET, StubCode.THREAD_GADGET_TRAP, Sysno.CLONE,
                    CLONE_THREAD_FLAGS, 0, 0, 0, 0, 0);
            leader.takeSignalSeen();
            return (int) Host.check(tid, "clone of a stub thread");
        });
    }

    /** Kills and reaps the template; the platform thread then ends. */
    public void shutdown() {
        Request r = new Request(null, new CompletableFuture<>());
        requests.add(r);
        await(r.reply);
    }

    /** Runs {@code work} on the platform thread and returns its result (rethrowing its exception). */
    @SuppressWarnings("unchecked")
    private <T> T call(Supplier<T> work) {
        Request r = new Request(work, new CompletableFuture<>());
        requests.add(r);
        return (T) await(r.reply);
    }

    /** Waits for the template thread's answer. Uninterruptible: a stub cloned for nobody would be lost. */
    private Object await(CompletableFuture<Object> f) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The template, once booted. Owned by the platform thread. */
    private Tracee template;

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            try {
                template = boot(arena);
                booted.complete(template.pid);
            } catch (Throwable t) {
                booted.completeExceptionally(t);
                return;
            }
            for (;;) {
                Request r;
                try {
                    r = requests.take();
                } catch (InterruptedException e) {
                    continue; // this thread must outlive every stub; only shutdown ends it
                }
                if (r.work == null) {
                    template.killAndReap();
                    r.reply.complete(0);
                    return;
                }
                try {
                    r.reply.complete(r.work.get());
                } catch (Throwable t) {
                    r.reply.completeExceptionally(t);
                }
            }
        }
    }

    /** Clones the JVM into the template, then cleans it: dup2, close_range, signals, munmap, in that order. */
    private Tracee boot(Arena arena) {
        byte[] code = StubCode.boot(sentryPid);
        long page = Host.check(Host.mmap(0, 4096, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0), "mmap boot page");
        long stackLen = 64 * 1024;
        long stack = Host.check(Host.mmap(0, stackLen, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0), "mmap boot stack");
        int pid;
        try {
            if (page + 4096 > StubCode.STUB_ADDR) {
                throw new IllegalStateException("boot page landed in the stub region");
            }
            MemorySegment.copy(code, 0, MemorySegment.ofAddress(page).reinterpret(4096), JAVA_BYTE, 0, code.length);
            Host.check(Host.mprotect(page, 4096, Mman.PROT_READ | Mman.PROT_EXEC), "mprotect boot page");
            // The memory file exists before this clone, so the child inherits it.
            pid = Host.clone(MemorySegment.ofAddress(page), MemorySegment.ofAddress(stack + stackLen - 64),
                    Signals.SIGCHLD, MemorySegment.NULL);
            Host.check(pid, "clone of the JVM");
        } finally {
            // The child has its own copies; the JVM needs neither any more.
            Host.munmap(page, 4096);
            Host.munmap(stack, stackLen);
        }
        Tracee t = new Tracee(pid, arena);
        try {
            int st = t.waitStatus();
            if (!Ptrace.stopped(st) || Ptrace.stopSig(st) != Signals.SIGSTOP) {
                throw new IllegalStateException("template stub did not stop itself: status 0x" + Integer.toHexString(st));
            }
            Host.check(Host.ptrace(Ptrace.SETOPTIONS, pid, 0, Ptrace.O_EXITKILL | Ptrace.O_TRACESYSGOOD),
                    "PTRACE_SETOPTIONS");
            t.captureBaseRegisters();
            clean(t, arena, page + StubCode.BOOT_GADGET);
            Log.debug("ptrace: template stub " + pid + " is clean (xstate " + xstateSize + " bytes)");
            return t;
        } catch (RuntimeException e) {
            t.killAndReap();
            throw e;
        }
    }

    private void clean(Tracee t, Arena arena, long bootGadget) {
        // 1. The memory file at its fixed fd (the copy has no O_CLOEXEC; no exec happens anyway), and the
        // flavor's control file right after it.
        int control = flavor.controlFd();
        if (control == StubCode.MEMFD_FD && memfd == StubCode.CONTROL_FD) {
            throw new IllegalStateException("memory file and control file at each other's fixed fds");
        }
        if (control == StubCode.MEMFD_FD) { // moved first, or the memory file's dup2 would close it
            check(bootSyscall(t, bootGadget, Sysno.DUP2, control, StubCode.CONTROL_FD, 0), "dup2 of the control file");
        }
        check(bootSyscall(t, bootGadget, Sysno.DUP2, memfd, StubCode.MEMFD_FD, 0), "dup2 of the memory file");
        int keep = StubCode.MEMFD_FD;
        if (control >= 0) {
            if (control != StubCode.MEMFD_FD) {
                check(bootSyscall(t, bootGadget, Sysno.DUP2, control, StubCode.CONTROL_FD, 0),
                        "dup2 of the control file");
            }
            keep = StubCode.CONTROL_FD; // MEMFD_FD + 1: nothing between them to close
        }
        // 2. Every other fd of the JVM goes.
        check(bootSyscall(t, bootGadget, Sysno.CLOSE_RANGE, 0, StubCode.MEMFD_FD - 1, 0), "close_range");
        check(bootSyscall(t, bootGadget, Sysno.CLOSE_RANGE, keep + 1, 0xffff_ffffL, 0), "close_range");
        // The stub page, at its fixed address. MAP_FIXED may replace the child's copy of the JVM's main stack,
        // which it never uses. POKEDATA writes through the read-only protection (FOLL_FORCE).
        check(bootSyscall(t, bootGadget, Sysno.MMAP, StubCode.STUB_ADDR, StubCode.STUB_LEN,
                Mman.PROT_READ | Mman.PROT_EXEC, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, -1, 0),
                "mmap of the stub page");
        t.poke(StubCode.STUB_ADDR, StubCode.stub(sentryPid, flavor.code()));
        // From here on, injections run in the stub page.
        // 3. Signals: every handler SIG_DFL, nothing blocked, no alternate stack, no rseq area (glibc registers
        // one per thread; the kernel would write to it after the munmap below and kill the stub).
        for (int sig = 1; sig <= Signals.NSIG; sig++) {
            if (sig != Signals.SIGKILL && sig != Signals.SIGSTOP) {
                check(t.syscall(Sysno.RT_SIGACTION, sig, StubCode.ZEROS, 0, 8, 0, 0), "rt_sigaction " + sig);
            }
        }
        if (flavor.sigaction() != 0) { // the flavor's handler for every catchable signal
            for (int sig = 1; sig <= Signals.NSIG; sig++) {
                if (sig != Signals.SIGKILL && sig != Signals.SIGSTOP) {
                    check(t.syscall(Sysno.RT_SIGACTION, sig, flavor.sigaction(), 0, 8, 0, 0), "rt_sigaction " + sig);
                }
            }
        }
        check(t.syscall(Sysno.RT_SIGPROCMASK, Signals.SIG_SETMASK, StubCode.ZEROS, 0, 8, 0, 0), "rt_sigprocmask");
        check(t.syscall(Sysno.SIGALTSTACK, StubCode.ALTSTACK_DISABLE, 0, 0, 0, 0, 0), "sigaltstack");
        unregisterRseq(t, arena);
        check(t.syscall(Sysno.PRCTL, PR_SET_PDEATHSIG, Signals.SIGKILL, 0, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)");
        check(t.syscall(Sysno.PRCTL, PR_SET_NAME, StubCode.NAME, 0, 0, 0, 0), "prctl(PR_SET_NAME)");
        // FP/vector registers: the JVM thread's contents must not reach any workload.
        resetFpState(t, arena);
        // 4. Every mapping but the stub page goes ([vsyscall] is no VMA and stays).
        check(t.syscall(Sysno.MUNMAP, 0, StubCode.STUB_ADDR, 0, 0, 0, 0), "munmap below the stub page");
        long above = StubCode.STUB_ADDR + StubCode.STUB_LEN;
        check(t.syscall(Sysno.MUNMAP, above, StubCode.TASK_SIZE_MAX - above, 0, 0, 0, 0), "munmap above");
        // Defence in depth, and the one way to see [vsyscall] calls (StubCode.filter()).
        check(t.syscall(Sysno.PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
        check(t.syscall(Sysno.SECCOMP, SECCOMP_SET_MODE_FILTER, 0, flavor.filter(), 0, 0, 0), "seccomp");
        if (t.takeSignalSeen()) {
            Log.debug("ptrace: template stub saw a signal while being cleaned; suppressed");
        }
    }

    private static void unregisterRseq(Tracee t, Arena arena) {
        // struct ptrace_rseq_configuration { u64 rseq_abi_pointer; u32 rseq_abi_size, signature, flags, pad; }
        MemorySegment conf = arena.allocate(24, 8);
        long r = Host.ptrace(PTRACE_GET_RSEQ_CONFIGURATION, t.pid, conf.byteSize(), conf.address());
        if (r < 0) {
            return; // kernel without rseq: nothing registered
        }
        long area = conf.get(JAVA_LONG, 0);
        if (area != 0) {
            check(t.syscall(Sysno.RSEQ, area, conf.get(JAVA_INT, 8), RSEQ_FLAG_UNREGISTER,
                    conf.get(JAVA_INT, 12), 0, 0), "rseq unregister");
        }
    }

    /** Loads the architectural init state; records the XSAVE size for the contexts. */
    private void resetFpState(Tracee t, Arena arena) {
        FpState init = new FpState(arena); // starts in the init state
        MemorySegment iov = arena.allocate(16, 8);
        MemorySegment scratch = arena.allocate(FpRegisters.MAX_SIZE, 64);
        int size = FpRegisters.xstateSize(t.pid, scratch, iov);
        xstateSize = size;
        check(FpRegisters.set(t.pid, size, init.segment(), iov), "reset of the FP state");
    }

    private static long check(long r, String what) {
        if (r < 0 && r > -4096) {
            throw new HostException(what + " in the template stub", (int) -r);
        }
        return r;
    }

    private static long bootSyscall(Tracee t, long gadget, long nr, long a0, long a1, long a2) {
        return t.inject(gadget, gadget + 3, nr, a0, a1, a2, 0, 0, 0);
    }

    private static long bootSyscall(Tracee t, long gadget, long nr, long a0, long a1, long a2, long a3, long a4,
            long a5) {
        return t.inject(gadget, gadget + 3, nr, a0, a1, a2, a3, a4, a5);
    }
}
