package dev.jvisor.platform.systrap;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;

/**
 * One stub thread's control block and alternate signal stack, in the control file: the state machine the
 * handler ({@code systrap.S}) and the sentry share. Layout (offsets; the polled words on their own cache lines):
 * <pre>
 * 0x00 u32 stubSeq        the handler's counter: +1 at each event it publishes; never 0 while the thread lives
 *                         (it is the thread's clear_child_tid: 0 and a futex wake when it exits)
 * 0x04 u32 sentrySleeping the sentry is (about to be) asleep on stubSeq
 * 0x40 u32 sentrySeq      the sentry's answer: set to stubSeq when it lets the handler go on
 * 0x44 u32 stubSleeping   the handler is (about to be) asleep on sentrySeq
 * 0x48 u32 spin           how many polls the handler spins before it sleeps (the sentry's SpinPolicy sets it)
 * 0x80 u32 signo, 0x88 siginfo*, 0x90 ucontext* (stub addresses), 0x98 fs base, 0xa0 gs base
 * 0xc0 u32 cmd            0: return to user code; 1: run syscall nr(args) and publish its result
 * 0xc8 nr, 0xd0 args[6], 0x100 result
 * 0x200 stack_t           scratch for the sigaltstack set-up
 * 0x1000..SIZE            the alternate signal stack: the kernel writes every signal frame here
 * </pre>
 * The workload can write all of it (it is mapped in its address space): the sentry treats what it reads as
 * the workload's registers and checks every pointer against this slot.
 */
final class Slot {
    static final long SIZE = 64 * 1024;
    static final int STUB_SEQ = 0, SENTRY_SLEEPING = 4, SENTRY_SEQ = 0x40, STUB_SLEEPING = 0x44, SPIN = 0x48,
            SIGNO = 0x80, SIGINFO = 0x88, UCONTEXT = 0x90, FS_BASE = 0x98, GS_BASE = 0xa0, CMD = 0xc0, NR = 0xc8,
            ARGS = 0xd0, RESULT = 0x100, STACK_T = 0x200, ALTSTACK = 0x1000;
    static final int CMD_RESUME = 0, CMD_SYSCALL = 1;

    private static final VarHandle INT = JAVA_INT.varHandle();

    final ControlFile file;
    final int index;
    /** The slot in the sentry's mapping. */
    final MemorySegment seg;
    /** The slot's address in the stub. */
    final long stubAddr;

    /** The stubSeq value at which the handler waits for this sentry's answer. */
    int seq;
    /** The thread's host tid, once it runs. */
    int tid;
    /** Whether this thread is on another CPU than its task thread (split by the SpinPolicy): sentry-private. */
    boolean split;
    /** Set when the stub is killed or the thread is gone: no wait on this slot may last. */
    volatile boolean dead;

    private final MemorySegment timeout = Arena.ofAuto().allocate(16, 8);

    Slot(ControlFile file, int index, MemorySegment seg, long stubAddr) {
        this.file = file;
        this.index = index;
        this.seg = seg;
        this.stubAddr = stubAddr;
        timeout.set(JAVA_LONG, 8, 20_000_000L); // 20 ms between checks that the stub still lives
    }

    int getInt(long off) {
        return seg.get(JAVA_INT, off);
    }

    long getLong(long off) {
        return seg.get(JAVA_LONG, off);
    }

    void setLong(long off, long v) {
        seg.set(JAVA_LONG, off, v);
    }

    void setInt(long off, int v) {
        seg.set(JAVA_INT, off, v);
    }

    /** The sentry address for stub address {@code a} if {@code [a, a+len)} lies in the alternate stack, else -1. */
    long toSentry(long a, long len) {
        long lo = stubAddr + ALTSTACK, hi = stubAddr + SIZE;
        if (a < lo || a > hi - len) {
            return -1;
        }
        return seg.address() + (a - stubAddr);
    }

    /**
     * Lets the waiting handler go on (its registers, or the command, already written): sentrySeq = seq with
     * release ordering, and a futex wake if the handler sleeps. Volatile store then volatile load: Dekker with
     * the handler's xchg on stubSleeping.
     */
    void release() {
        INT.setVolatile(seg, (long) SENTRY_SEQ, seq);
        if ((int) INT.getVolatile(seg, (long) STUB_SLEEPING) != 0) {
            Host.futexWakeShared(seg.address() + SENTRY_SEQ, 1);
        }
    }

    /** What {@link #await} returns when the thread or its process is gone. */
    static final long GONE = 0;
    /** What {@link #await} returns when it gave up on a handler that does not answer (see there). */
    static final long GAVE_UP = -1;

    /**
     * Waits until the handler publishes its next event: spins about {@code spinNanos} ns, then sleeps on the futex,
     * checking every 20 ms that the stub lives ({@code alive}). Returns the new seq (also kept in {@link #seq},
     * as an unsigned value), or {@link #GONE} if the thread or its process is gone, or {@link #GAVE_UP} when
     * {@code giveUp} has held for two checks in a row: a workload that forged its slot can leave the handler
     * waiting for an answer the sentry already gave, and an interrupt (a kill, say) must still bring the task
     * thread back.
     */
    long await(long spinNanos, BooleanSupplier alive, BooleanSupplier giveUp) {
        int old = seq;
        if (spinNanos > 0) {
            long start = System.nanoTime();
            for (int i = 1;; i++) {
                int v = (int) INT.getAcquire(seg, (long) STUB_SEQ);
                if (v != old) {
                    seq = v;
                    return v & 0xffff_ffffL;
                }
                Thread.onSpinWait();
                if ((i & 31) == 0 && (System.nanoTime() - start > spinNanos || dead)) {
                    break;
                }
            }
        }
        int quietChecks = 0;
        for (;;) {
            INT.setVolatile(seg, (long) SENTRY_SLEEPING, 1);
            int v = (int) INT.getVolatile(seg, (long) STUB_SEQ);
            boolean timedOut = false;
            if (v == old && !dead) {
                int r = Host.futexWaitShared(seg.address() + STUB_SEQ, old, timeout);
                timedOut = r == -Errno.ETIMEDOUT.number();
                if (timedOut && !alive.getAsBoolean()) {
                    dead = true;
                }
                v = (int) INT.getVolatile(seg, (long) STUB_SEQ);
            }
            INT.setVolatile(seg, (long) SENTRY_SLEEPING, 0);
            if (v != old) {
                seq = v;
                return v & 0xffff_ffffL;
            }
            if (dead) {
                seq = 0;
                return GONE;
            }
            quietChecks = timedOut && giveUp.getAsBoolean() ? quietChecks + 1 : 0;
            if (quietChecks >= 2) {
                return GAVE_UP;
            }
        }
    }

    /** Wakes a sentry thread waiting on this slot (after {@link #dead} was set). */
    void wakeWaiter() {
        Host.futexWakeShared(seg.address() + STUB_SEQ, Integer.MAX_VALUE);
    }
}
