package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.HostException;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.UserRegs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One stub thread as its tracer thread sees it: waiting for its stops and injecting syscalls into it. Every
 * method must run on the tracer thread (ptrace refuses any other with ESRCH). Never waits on any pid but its own.
 */
public final class Tracee {
    public final int pid;

    // Scratch native memory, owned by the tracer thread.
    private final MemorySegment status;
    private final MemorySegment regs;
    /** Registers every injection starts from: zero GPRs, user segments, no FS/GS base. */
    private final MemorySegment base;

    /**
     * The stub's registers as of the last GETREGS, while {@link #shadowValid}: lets a switch that changed only
     * RAX write back one word (POKEUSER) instead of the whole set (SETREGS costs 2.5x as much here).
     */
    final MemorySegment shadow;
    boolean shadowValid;

    /**
     * RIPs (after the instruction) already seen to hold {@code syscall} (0f 05), direct-mapped; 0 is empty. Saves
     * the PEEKDATA of the i386 check. Valid for one generation of the address space's mappings.
     */
    private final long[] syscallSites = new long[16];
    private int sitesGeneration;

    /** The thread is gone (exited, killed, or reaped). */
    private boolean dead;

    /** A stop other than the expected trap arrived during an injection: a signal the sentry must look at. */
    private boolean signalSeen;

    Tracee(int pid, Arena arena) {
        this.pid = pid;
        this.status = arena.allocate(JAVA_INT);
        this.regs = arena.allocate(UserRegs.SIZE, 16);
        this.base = arena.allocate(UserRegs.SIZE, 16);
        this.shadow = arena.allocate(UserRegs.SIZE, 16);
    }

    /**
     * Makes {@code pid} (a stub process or thread that just came out of a clone) a tracee of the calling thread:
     * PTRACE_SEIZE with EXITKILL and TRACESYSGOOD, then PTRACE_INTERRUPT, and waits for the stop. The stub waits
     * in pause() or is on its way there; either way it stops, with no group-stop involved.
     */
    public static Tracee seize(int pid, Arena arena) {
        Tracee t = new Tracee(pid, arena);
        long r = Host.ptrace(Ptrace.SEIZE, pid, 0, Ptrace.O_EXITKILL | Ptrace.O_TRACESYSGOOD);
        if (r < 0) {
            throw new HostException("PTRACE_SEIZE of stub " + pid, (int) -r);
        }
        Host.check(Host.ptrace(Ptrace.INTERRUPT, pid, 0, 0), "PTRACE_INTERRUPT");
        int st = t.waitStatus();
        if (!Ptrace.stopped(st)) {
            throw new IllegalStateException("stub " + pid + " did not stop: status 0x" + Integer.toHexString(st));
        }
        t.captureBaseRegisters();
        return t;
    }

    boolean knownSyscallSite(long rip, int generation) {
        if (generation != sitesGeneration) {
            java.util.Arrays.fill(syscallSites, 0);
            sitesGeneration = generation;
            return false;
        }
        return syscallSites[siteSlot(rip)] == rip;
    }

    void rememberSyscallSite(long rip) {
        syscallSites[siteSlot(rip)] = rip;
    }

    private static int siteSlot(long rip) {
        return (int) (rip ^ (rip >>> 7)) & 15;
    }

    public boolean dead() {
        return dead;
    }

    void markDead() {
        dead = true;
    }

    /** Returns and clears whether an injection swallowed an unrelated stop (an interrupt, a host signal). */
    public boolean takeSignalSeen() {
        boolean s = signalSeen;
        signalSeen = false;
        return s;
    }

    /** waitpid(pid, __WALL), retried on EINTR. Returns the status, or {@code -errno} (ECHILD: already reaped). */
    public int waitStatus() {
        for (;;) {
            int r = Host.wait4(pid, status, Ptrace.WALL);
            if (r == pid) {
                int st = status.get(JAVA_INT, 0);
                if (!Ptrace.stopped(st)) {
                    dead = true;
                }
                return st;
            }
            if (r != -Errno.EINTR.number()) {
                dead = true;
                return r < 0 ? r : -Errno.ECHILD.number();
            }
        }
    }

    /**
     * Takes the register template for injections from the stub's current registers (for valid segment
     * selectors), with every general register, FS and GS cleared.
     */
    void captureBaseRegisters() {
        Host.check(Host.ptrace(Ptrace.GETREGS, pid, 0, base.address()), "PTRACE_GETREGS");
        for (int off = 0; off < UserRegs.SIZE; off += 8) {
            if (off != UserRegs.CS && off != UserRegs.SS && off != UserRegs.DS && off != UserRegs.ES) {
                base.set(JAVA_LONG, off, 0);
            }
        }
        base.set(JAVA_LONG, UserRegs.EFLAGS, 0x202);
    }

    /** Injects a syscall through the stub page's {@code syscall; int3}. Returns its result or {@code -errno}. */
    public long syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        return inject(StubCode.SYSCALL_GADGET, StubCode.SYSCALL_GADGET_TRAP, nr, a0, a1, a2, a3, a4, a5);
    }

    /**
     * Runs {@code syscall} at {@code gadget} with the given number and arguments and waits for the {@code int3}
     * behind it (RIP = {@code trapRip}). Any other stop on the way is remembered ({@link #takeSignalSeen}) and
     * its signal suppressed. Returns the syscall's result, or {@code -ESRCH} if the process died.
     */
    long inject(long gadget, long trapRip, long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        if (dead) {
            return -Errno.ESRCH.number();
        }
        shadowValid = false; // the stub's registers are the injected ones from here on
        MemorySegment.copy(base, 0, regs, 0, UserRegs.SIZE);
        regs.set(JAVA_LONG, UserRegs.RIP, gadget);
        regs.set(JAVA_LONG, UserRegs.RAX, nr);
        // orig_rax = -1: no syscall-restart logic may rewrite RIP/RAX when the stub resumes from this stop.
        regs.set(JAVA_LONG, UserRegs.ORIG_RAX, -1);
        regs.set(JAVA_LONG, UserRegs.RDI, a0);
        regs.set(JAVA_LONG, UserRegs.RSI, a1);
        regs.set(JAVA_LONG, UserRegs.RDX, a2);
        regs.set(JAVA_LONG, UserRegs.R10, a3);
        regs.set(JAVA_LONG, UserRegs.R8, a4);
        regs.set(JAVA_LONG, UserRegs.R9, a5);
        long r = Host.ptrace(Ptrace.SETREGS, pid, 0, regs.address());
        if (r < 0) {
            return r;
        }
        for (;;) {
            r = Host.ptrace(Ptrace.CONT, pid, 0, 0);
            if (r < 0) {
                return r;
            }
            int st = waitStatus();
            if (dead) {
                return -Errno.ESRCH.number();
            }
            r = Host.ptrace(Ptrace.GETREGS, pid, 0, regs.address());
            if (r < 0) {
                return r;
            }
            if (Ptrace.stopSig(st) == Signals.SIGTRAP && Ptrace.event(st) == 0
                    && regs.get(JAVA_LONG, UserRegs.RIP) == trapRip) {
                return regs.get(JAVA_LONG, UserRegs.RAX);
            }
            // Something else stopped the stub before or during the syscall (an interrupt's SIGSTOP, a host
            // signal): note it and go on with the signal suppressed. The registers are still the injected ones.
            signalSeen = true;
        }
    }

    /** Writes {@code code} (whole words) at {@code addr} with PTRACE_POKEDATA, which may write read-only pages. */
    void poke(long addr, byte[] code) {
        for (int i = 0; i < code.length; i += 8) {
            long word = 0;
            for (int b = 0; b < 8 && i + b < code.length; b++) {
                word |= (code[i + b] & 0xffL) << (8 * b);
            }
            Host.check(Host.ptrace(Ptrace.POKEDATA, pid, addr + i, word), "PTRACE_POKEDATA");
        }
    }

    /** SIGKILLs the process (if it is still ours) and reaps it. */
    public void killAndReap() {
        if (!dead) {
            Host.kill(pid, Signals.SIGKILL);
            while (!dead) {
                waitStatus();
            }
        }
    }

    /**
     * Lets the stopped thread go on untraced at {@code rip} with the injection registers (so no signal it takes
     * from then on stops it). Returns 0 or {@code -errno}. The thread is no longer this tracer's to wait for.
     */
    public long detachAt(long rip) {
        if (dead) {
            return -Errno.ESRCH.number();
        }
        MemorySegment.copy(base, 0, regs, 0, UserRegs.SIZE);
        regs.set(JAVA_LONG, UserRegs.RIP, rip);
        regs.set(JAVA_LONG, UserRegs.ORIG_RAX, -1);
        long r = Host.ptrace(Ptrace.SETREGS, pid, 0, regs.address());
        if (r < 0) {
            return r;
        }
        r = Host.ptrace(Ptrace.DETACH, pid, 0, 0);
        if (r == 0) {
            dead = true; // not ours any more: nothing may wait for it
        }
        return r;
    }
}
