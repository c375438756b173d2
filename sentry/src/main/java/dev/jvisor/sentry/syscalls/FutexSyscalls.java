package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Time;
import dev.jvisor.sentry.kernel.FutexTable;
import dev.jvisor.sentry.kernel.FutexTable.Key;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.mm.MemoryManager;
import java.lang.foreign.MemorySegment;

/** futex(2): waiting on and waking 32-bit words of workload memory. PI futexes are not supported (ENOSYS). */
final class FutexSyscalls {
    private FutexSyscalls() {}

    static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
            FUTEX_WAKE_OP = 5, FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9,
            FUTEX_WAKE_BITSET = 10, FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;
    static final int FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
    /** sizeof(struct robust_list_head). */
    private static final long ROBUST_LIST_HEAD_SIZE = 24;
    private static final int FUTEX_OP_SET = 0, FUTEX_OP_ADD = 1, FUTEX_OP_OR = 2, FUTEX_OP_ANDN = 3,
            FUTEX_OP_XOR = 4, FUTEX_OP_OPARG_SHIFT = 8;
    private static final int FUTEX_OP_CMP_EQ = 0, FUTEX_OP_CMP_NE = 1, FUTEX_OP_CMP_LT = 2, FUTEX_OP_CMP_LE = 3,
            FUTEX_OP_CMP_GT = 4, FUTEX_OP_CMP_GE = 5;

    /** Implements futex(2): uaddr, op, val, timeout (or val2), uaddr2, val3. */
    static long futex(Task t, SyscallArguments a) {
        long uaddr = a.a0;
        int op = a.i(1);
        int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
        boolean priv = (op & FUTEX_PRIVATE_FLAG) != 0;
        int val = a.i(2);
        long uaddr2 = a.a4;
        int val3 = a.i(5);
        if ((op & FUTEX_CLOCK_REALTIME) != 0 && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET
                && cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2) {
            return Errno.ENOSYS.ret();
        }
        MemoryManager mm = t.mm();
        FutexTable table = t.kernel().futexes();
        switch (cmd) {
            case FUTEX_WAIT, FUTEX_WAIT_BITSET -> {
                int bitset = cmd == FUTEX_WAIT ? FutexTable.MATCH_ANY : val3;
                if (bitset == 0) {
                    return Errno.EINVAL.ret();
                }
                long deadline = Waiter.FOREVER;
                if (a.a3 != 0) {
                    deadline = deadline(t, a.a3, cmd == FUTEX_WAIT, (op & FUTEX_CLOCK_REALTIME) != 0);
                    if (deadline < 0 && deadline != Long.MIN_VALUE) {
                        return deadline;
                    }
                }
                Key key = FutexTable.key(mm, uaddr, priv);
                if (deadline == Long.MIN_VALUE) {
                    // Already past: Linux still checks the value first.
                    return mm.loadAtomicInt(uaddr) != val ? Errno.EAGAIN.ret() : Errno.ETIMEDOUT.ret();
                }
                return table.wait(t, key, () -> mm.loadAtomicInt(uaddr), val, bitset, deadline);
            }
            case FUTEX_WAKE, FUTEX_WAKE_BITSET -> {
                int bitset = cmd == FUTEX_WAKE ? FutexTable.MATCH_ANY : val3;
                if (bitset == 0) {
                    return Errno.EINVAL.ret();
                }
                return table.wake(FutexTable.key(mm, uaddr, priv), val, bitset);
            }
            case FUTEX_REQUEUE, FUTEX_CMP_REQUEUE -> {
                int nRequeue = (int) a.a3; // val2, passed in the timeout argument
                if (val < 0 || nRequeue < 0) {
                    return Errno.EINVAL.ret();
                }
                Key k1 = FutexTable.key(mm, uaddr, priv);
                Key k2 = FutexTable.key(mm, uaddr2, priv);
                return table.requeue(k1, k2, val, nRequeue,
                        cmd == FUTEX_CMP_REQUEUE ? () -> mm.loadAtomicInt(uaddr) == val3 : null);
            }
            case FUTEX_WAKE_OP -> {
                int nWake2 = (int) a.a3;
                Key k1 = FutexTable.key(mm, uaddr, priv);
                Key k2 = FutexTable.key(mm, uaddr2, priv);
                return table.wakeOp(k1, k2, val, nWake2, () -> wakeOp(mm, uaddr2, val3));
            }
            case FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI,
                    FUTEX_LOCK_PI2 -> {
                return Errno.ENOSYS.ret();
            }
            default -> {
                return Errno.ENOSYS.ret();
            }
        }
    }

    /** Implements get_robust_list(2): the list head set_robust_list(2) recorded for a thread (0: the caller). */
    static long getRobustList(Task t, SyscallArguments a) {
        int tid = a.i(0);
        Task target = tid == 0 ? t : t.kernel().pids().task(tid);
        if (tid < 0 || target == null) {
            return Errno.ESRCH.ret();
        }
        t.mm().writeLong(a.a1, target.robustList());
        t.mm().writeLong(a.a2, ROBUST_LIST_HEAD_SIZE);
        return 0;
    }

    /**
     * FUTEX_WAKE_OP's atomic step on {@code *uaddr2}: {@code old = *uaddr2; *uaddr2 = old OP oparg}; returns
     * {@code old CMP cmparg}. The 12-bit arguments are sign-extended, as Linux does.
     */
    private static boolean wakeOp(MemoryManager mm, long uaddr2, int encoded) {
        int op = (encoded >>> 28) & 0xf;
        int cmp = (encoded >>> 24) & 0xf;
        int oparg = (encoded << 8) >> 20;
        int cmparg = (encoded << 20) >> 20;
        if ((op & FUTEX_OP_OPARG_SHIFT) != 0) {
            oparg = 1 << (oparg & 31);
            op &= ~FUTEX_OP_OPARG_SHIFT;
        }
        if ((uaddr2 & 3) != 0) {
            throw Errno.EINVAL.exception();
        }
        if (op > FUTEX_OP_XOR) {
            throw Errno.ENOSYS.exception();
        }
        int old;
        for (;;) {
            old = mm.loadAtomicInt(uaddr2);
            int nv = switch (op) {
                case FUTEX_OP_SET -> oparg;
                case FUTEX_OP_ADD -> old + oparg;
                case FUTEX_OP_OR -> old | oparg;
                case FUTEX_OP_ANDN -> old & ~oparg;
                default -> old ^ oparg;
            };
            if (mm.compareAndExchangeInt(uaddr2, old, nv) == old) {
                break;
            }
        }
        return switch (cmp) {
            case FUTEX_OP_CMP_EQ -> old == cmparg;
            case FUTEX_OP_CMP_NE -> old != cmparg;
            case FUTEX_OP_CMP_LT -> old < cmparg;
            case FUTEX_OP_CMP_LE -> old <= cmparg;
            case FUTEX_OP_CMP_GT -> old > cmparg;
            case FUTEX_OP_CMP_GE -> old >= cmparg;
            default -> throw Errno.ENOSYS.exception();
        };
    }

    /**
     * The {@link System#nanoTime} deadline of a timeout: relative for FUTEX_WAIT, absolute on CLOCK_MONOTONIC (or
     * CLOCK_REALTIME) otherwise. -EINVAL for a bad timespec, {@link Long#MIN_VALUE} when already past.
     */
    private static long deadline(Task t, long addr, boolean relative, boolean realtime) {
        MemorySegment s = t.scratch();
        t.mm().copyIn(addr, s, Time.TIMESPEC_SIZE);
        long sec = s.get(JAVA_LONG, 0), nsec = s.get(JAVA_LONG, 8);
        if (sec < 0 || nsec < 0 || nsec >= Time.NANOS_PER_SECOND) {
            return Errno.EINVAL.ret();
        }
        long ns = sec >= Long.MAX_VALUE / Time.NANOS_PER_SECOND / 2 ? Long.MAX_VALUE / 2
                : sec * Time.NANOS_PER_SECOND + nsec;
        long now = System.nanoTime();
        long left;
        if (relative) {
            left = ns;
        } else {
            MemorySegment c = t.scratch().asSlice(64, Time.TIMESPEC_SIZE);
            Host.clockGettime(realtime ? Time.CLOCK_REALTIME : Time.CLOCK_MONOTONIC, c);
            left = ns - (c.get(JAVA_LONG, 0) * Time.NANOS_PER_SECOND + c.get(JAVA_LONG, 8));
        }
        if (left <= 0) {
            return Long.MIN_VALUE;
        }
        return left >= Long.MAX_VALUE / 2 ? Waiter.FOREVER : now + left;
    }
}
