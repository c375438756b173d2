package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.HostException;
import dev.jvisor.abi.Ptrace;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stub process: the host side of a workload address space. Its memory is the memory file, mapped at fd
 * {@link StubCode#MEMFD_FD}; its mappings change by syscalls injected into it.
 *
 * <p>Threads: the process's leader is traced by the platform thread and never runs workload code. Each task
 * thread that uses the address space gets a stub thread of its own (cloned into the leader by the platform
 * thread, then seized by the task thread), so any number of task threads can run in it, each tracing its own.
 * {@link #map}, {@link #unmap} and {@link #protect} inject into the calling thread's stub thread (all share the
 * mm). Lifecycle state ({@link #pidfd}, {@link #released}) is guarded by {@code this}.
 */
final class PtraceAddressSpace extends StubAddressSpace {
    private static final int P_PIDFD = 3;
    private static final int WEXITED = 4;

    private final PtracePlatform platform;
    /** The leader's tracee: used by the platform thread only. */
    final Tracee leader;
    private final Map<Thread, Tracee> threads = new ConcurrentHashMap<>();
    /** Bumped at every map/unmap/protect: the i386 check's memory of syscall sites is valid for one value. */
    private final AtomicInteger generation = new AtomicInteger();
    private final MemorySegment scratch = Arena.ofAuto().allocate(128, 8);

    /** A pidfd for the stub process, so signals from any thread never hit a reused pid. Guarded by this. */
    private int pidfd;
    private boolean released;

    PtraceAddressSpace(PtracePlatform platform, Tracee leader, int pidfd) {
        super(StubCode.MAX_USER_ADDRESS);
        this.platform = platform;
        this.leader = leader;
        this.pidfd = pidfd;
    }

    /** The stub process's host pid (its leader's). */
    int pid() {
        return leader.pid;
    }

    int generation() {
        return generation.get();
    }

    /** The calling thread's stub thread, or null if it has none yet. */
    Tracee threadOf(Thread t) {
        return threads.get(t);
    }

    /**
     * The calling thread's stub thread, created on first use: the platform thread clones it into the leader,
     * and this thread seizes it and pins both to this thread's CPU.
     */
    Tracee currentThread() {
        Thread me = Thread.currentThread();
        Tracee t = threads.get(me);
        if (t != null) {
            return t;
        }
        if (me.isVirtual()) {
            throw new IllegalStateException("a ptrace tracer must be a platform thread, not a virtual thread");
        }
        synchronized (this) {
            if (released) {
                return null;
            }
        }
        int tid;
        try {
            tid = platform.template().newThread(leader);
        } catch (HostException e) {
            if (e.errno() == Errno.ESRCH.number()) {
                return null; // the stub process was killed: the caller sees DIED or ESRCH
            }
            throw e;
        }
        try {
            t = Tracee.seize(tid, Arena.ofAuto());
        } catch (RuntimeException e) {
            tgkill(tid, Signals.SIGKILL); // the whole stub goes: a thread we cannot trace must not linger
            throw e;
        }
        platform.pin(tid);
        threads.put(me, t);
        return t;
    }

    @Override
    protected long stubSyscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        generation.incrementAndGet();
        Tracee t = currentThread();
        return t == null ? -Errno.ESRCH.number() : t.syscall(nr, a0, a1, a2, a3, a4, a5);
    }

    /**
     * Ends the calling thread's stub thread (an injected exit(2): only that thread goes) when a task thread is
     * done with this address space. No-op if it has none.
     */
    void detach(Thread thread) {
        Tracee t = threads.remove(thread);
        if (t != null && !t.dead()) {
            t.syscall(Sysno.EXIT, 0, 0, 0, 0, 0, 0); // returns once the thread's exit is reaped
            while (!t.dead()) {
                t.waitStatus();
            }
        }
    }

    @Override
    protected int stubPid() {
        return leader.pid;
    }

    /** Kills the stub process and reaps all its threads; from any thread. */
    @Override
    public void release() {
        kill();
        reap();
        platform.forget(this);
    }

    /** SIGKILL to the whole stub process, from any thread. */
    void kill() {
        synchronized (this) {
            released = true;
            if (pidfd >= 0) {
                Host.pidfdSendSignal(pidfd, Signals.SIGKILL);
            }
        }
    }

    /**
     * Reaps a killed stub: every stub thread (traced by task threads: any thread of the JVM may reap them), then
     * the leader through the pidfd, which waits until the whole thread group is gone. From any thread.
     */
    synchronized void reap() {
        if (pidfd < 0) {
            return;
        }
        Thread me = Thread.currentThread();
        List<Map.Entry<Thread, Tracee>> all = new ArrayList<>(threads.entrySet());
        for (Map.Entry<Thread, Tracee> e : all) {
            Tracee t = e.getValue();
            if (e.getKey() == me) {
                while (!t.dead()) {
                    t.waitStatus();
                }
            } else {
                reapOther(t.pid);
            }
        }
        int r;
        do {
            r = Host.waitid(P_PIDFD, pidfd, scratch, WEXITED | Ptrace.WALL);
        } while (r == -Errno.EINTR.number());
        Host.close(pidfd);
        pidfd = -1;
    }

    /** Waits for a killed stub thread traced by another task thread (which may reap it first: ECHILD). */
    private void reapOther(int tid) {
        for (;;) {
            int r = Host.wait4(tid, scratch, Ptrace.WALL);
            if (r == tid && Ptrace.stopped(scratch.get(JAVA_INT, 0))) {
                continue; // a stop reported before the kill landed
            }
            if (r != -Errno.EINTR.number()) {
                return;
            }
        }
    }

    /** Sends {@code sig} to one stub thread, from any thread. False if the stub is gone. */
    synchronized boolean signalThread(int tid, int sig) {
        return !released && tgkill(tid, sig) == 0;
    }

    private int tgkill(int tid, int sig) {
        return Host.tgkill(leader.pid, tid, sig);
    }
}
