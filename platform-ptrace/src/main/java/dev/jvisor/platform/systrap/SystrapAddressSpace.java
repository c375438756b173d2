package dev.jvisor.platform.systrap;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.HostException;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.platform.ptrace.StubAddressSpace;
import dev.jvisor.platform.ptrace.StubCode;
import dev.jvisor.platform.ptrace.Tracee;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * One stub process under systrap. Its leader is traced by the template's platform thread (which clones stub
 * threads into it, and whose death kills it: PTRACE_O_EXITKILL, PR_SET_PDEATHSIG). Each task thread that uses it
 * gets a stub thread of its own, set up by ptrace (its slot mapped, its alternate stack, its clear_child_tid, its
 * runtime filter) and then detached: from then on it talks to that task thread through its {@link Slot} only.
 * {@link #map}, {@link #unmap} and {@link #protect} are syscalls the calling thread's stub thread runs on request.
 */
final class SystrapAddressSpace extends StubAddressSpace {
    private static final int P_PIDFD = 3;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final short POLLIN = 1;

    private final SystrapPlatform platform;
    /** The leader's tracee: used by the platform thread only. */
    final Tracee leader;
    private final Map<Thread, Slot> threads = new ConcurrentHashMap<>();
    private final MemorySegment scratch = Arena.ofAuto().allocate(128, 8);
    private final MemorySegment pollfd = Arena.ofAuto().allocate(8, 8);
    private final MemorySegment zeroTimeout = Arena.ofAuto().allocate(16, 8);

    /** A pidfd for the stub process, so signals from any thread never hit a reused pid. Guarded by this. */
    private int pidfd;
    private volatile boolean released;
    /** {@link #alive()} and "released", as suppliers made once: the waits on the hot path allocate nothing. */
    final BooleanSupplier aliveCheck = this::alive;
    private final BooleanSupplier releasedCheck = () -> released;

    SystrapAddressSpace(SystrapPlatform platform, Tracee leader, int pidfd) {
        super(ControlFile.STUB_BASE);
        this.platform = platform;
        this.leader = leader;
        this.pidfd = pidfd;
    }

    int pid() {
        return leader.pid;
    }

    Slot slotOf(Thread t) {
        return threads.get(t);
    }

    /** Whether the stub process still runs (its pidfd is not readable yet). From any thread. */
    boolean alive() {
        if (released) {
            return false;
        }
        synchronized (this) {
            if (pidfd < 0) {
                return false;
            }
            pollfd.set(JAVA_INT, 0, pidfd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            pollfd.set(JAVA_SHORT, 6, (short) 0);
            int r = Host.ppoll(pollfd, 1, zeroTimeout);
            return r == 0;
        }
    }

    /**
     * The calling thread's stub thread, created on first use: cloned into the leader by the platform thread,
     * seized by this thread, set up, detached, and run to its first event (the {@code int3} at
     * {@link SystrapCode#BOOT_TRAP}), so that a signal frame waits in its slot. Null if the stub is gone.
     */
    Slot currentThread() {
        Thread me = Thread.currentThread();
        Slot s = threads.get(me);
        if (s != null) {
            return s;
        }
        if (released) {
            return null;
        }
        int tid;
        try {
            tid = platform.template().newThread(leader);
        } catch (HostException e) {
            if (e.errno() == Errno.ESRCH.number()) {
                return null;
            }
            throw e;
        }
        Slot slot = platform.control().allocate();
        if (slot == null) {
            Host.tgkill(leader.pid, tid, Signals.SIGKILL);
            throw new IllegalStateException("systrap: no free control slot (" + ControlFile.SLOTS + " stub threads)");
        }
        try {
            setUp(tid, slot);
        } catch (RuntimeException e) {
            Host.tgkill(leader.pid, tid, Signals.SIGKILL); // the whole stub goes: a half set-up thread must not linger
            slot.dead = true;
            throw e;
        }
        slot.tid = tid;
        threads.put(me, slot);
        if (slot.await(0, aliveCheck, releasedCheck) == Slot.GONE) {
            threads.remove(me);
            return null;
        }
        return slot;
    }

    private void setUp(int tid, Slot slot) {
        Tracee t = Tracee.seize(tid, Arena.ofAuto());
        check(t.syscall(Sysno.MMAP, slot.stubAddr, Slot.SIZE, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_SHARED | Mman.MAP_FIXED, StubCode.CONTROL_FD, (long) slot.index * Slot.SIZE),
                "mmap of a slot");
        // stack_t { void *ss_sp; int ss_flags; size_t ss_size; }
        slot.setLong(Slot.STACK_T, slot.stubAddr + Slot.ALTSTACK);
        slot.setLong(Slot.STACK_T + 8, 0);
        slot.setLong(Slot.STACK_T + 16, Slot.SIZE - Slot.ALTSTACK);
        check(t.syscall(Sysno.SIGALTSTACK, slot.stubAddr + Slot.STACK_T, 0, 0, 0, 0, 0), "sigaltstack");
        check(t.syscall(Sysno.SET_TID_ADDRESS, slot.stubAddr + Slot.STUB_SEQ, 0, 0, 0, 0, 0), "set_tid_address");
        check(t.syscall(Sysno.SECCOMP, SECCOMP_SET_MODE_FILTER, 0, SystrapCode.RUNTIME_FPROG, 0, 0, 0), "seccomp");
        t.takeSignalSeen(); // nothing runs yet that an interrupt could be for
        platform.pin(tid);
        check(t.detachAt(SystrapCode.BOOT_TRAP), "PTRACE_DETACH");
    }

    private static void check(long r, String what) {
        if (r < 0 && r > -4096) {
            throw new HostException(what + " in a systrap stub thread", (int) -r);
        }
    }

    @Override
    protected long stubSyscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        Slot s = currentThread();
        return s == null ? -Errno.ESRCH.number() : command(s, nr, a0, a1, a2, a3, a4, a5);
    }

    long command(Slot s, long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        if (s.dead) {
            return -Errno.ESRCH.number();
        }
        s.setLong(Slot.NR, nr);
        s.setLong(Slot.ARGS, a0);
        s.setLong(Slot.ARGS + 8, a1);
        s.setLong(Slot.ARGS + 16, a2);
        s.setLong(Slot.ARGS + 24, a3);
        s.setLong(Slot.ARGS + 32, a4);
        s.setLong(Slot.ARGS + 40, a5);
        s.setInt(Slot.CMD, Slot.CMD_SYSCALL);
        s.release();
        // A split stub thread runs on another CPU: a futex wake there costs more than the command itself.
        long seq = s.await(s.split ? SpinPolicy.MIN_SPIN_NS : 0, aliveCheck, releasedCheck);
        s.setInt(Slot.CMD, Slot.CMD_RESUME);
        if (seq == Slot.GONE || seq == Slot.GAVE_UP) {
            return -Errno.ESRCH.number();
        }
        return s.getLong(Slot.RESULT);
    }

    @Override
    protected int stubPid() {
        return leader.pid;
    }

    /**
     * Ends the calling thread's stub thread (it runs exit(2): only that thread goes) when a task thread is done
     * with this address space, and frees its slot once the kernel has cleared its tid. No-op if it has none.
     */
    void detach(Thread thread) {
        Slot s = threads.remove(thread);
        if (s == null) {
            return;
        }
        if (!s.dead) {
            command(s, Sysno.EXIT, 0, 0, 0, 0, 0, 0); // returns when stubSeq turns 0, or when the stub is gone
        }
        if (s.getInt(Slot.STUB_SEQ) == 0 || !alive()) {
            s.file.free(s);
        } // else: a thread that did not exit keeps its slot (never shared with another)
    }

    /** Kills the stub process and reaps it; from any thread. */
    @Override
    public void release() {
        kill();
        reap();
        platform.forget(this);
    }

    /** SIGKILL to the whole stub process, and every waiter on its slots woken; from any thread. */
    void kill() {
        synchronized (this) {
            released = true;
            if (pidfd >= 0) {
                Host.pidfdSendSignal(pidfd, Signals.SIGKILL);
            }
        }
        for (Slot s : threads.values()) {
            s.dead = true;
            s.wakeWaiter();
        }
    }

    /** Waits until the whole stub process is gone (the leader through its pidfd), then frees every slot. */
    synchronized void reap() {
        if (pidfd < 0) {
            return;
        }
        int r;
        do {
            r = Host.waitid(P_PIDFD, pidfd, scratch, Ptrace.WEXITED | Ptrace.WALL);
        } while (r == -Errno.EINTR.number());
        Host.close(pidfd);
        pidfd = -1;
        List<Slot> all = new ArrayList<>(threads.values());
        threads.clear();
        for (Slot s : all) {
            s.file.free(s);
        }
    }

    /** Sends {@code sig} to one stub thread, from any thread. False if the stub is gone. */
    synchronized boolean signalThread(int tid, int sig) {
        return !released && pidfd >= 0 && Host.tgkill(leader.pid, tid, sig) == 0;
    }
}
