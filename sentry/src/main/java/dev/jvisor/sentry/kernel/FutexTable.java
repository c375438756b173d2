package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.mm.Vma;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The kernel's futex wait queues, keyed by futex word (see {@link Key}). Waiters queue in FIFO order; a wake
 * dequeues the first ones whose bitset matches. The value check of a wait and every wake or requeue happen under
 * this table's lock, so a waker that changes the word and then wakes can never slip between a waiter's check and
 * its sleep.
 *
 * <p>Guarded by this. Lock order: this, then a MemoryManager's lock (the value reads and atomic ops).
 */
public final class FutexTable {
    /** FUTEX_BITSET_MATCH_ANY. */
    public static final int MATCH_ANY = -1;

    /**
     * A futex word's identity. A private futex (or any futex in a private mapping) is its address in one
     * address space: {@code space} is that MemoryManager. A futex in a shared mapping is its memory-file offset,
     * the same in every process that maps it: {@code space} is null.
     */
    public record Key(Object space, long addr) {}

    /** One task waiting on one futex; {@code key} changes on requeue. Fields guarded by the table. */
    private static final class FutexWaiter {
        final Task task;
        final int bitset;
        Key key;
        boolean woken;

        FutexWaiter(Task task, Key key, int bitset) {
            this.task = task;
            this.key = key;
            this.bitset = bitset;
        }
    }

    private final Map<Key, ArrayDeque<FutexWaiter>> queues = new HashMap<>();

    /**
     * The key of the futex word at {@code addr} in {@code mm}: EINVAL unless 4-byte aligned. A private futex
     * needs no mapping (a wake on an unmapped word wakes nobody, as in Linux); a shared one must be mapped
     * (EFAULT), and is keyed by its memory-file offset when the mapping is MAP_SHARED.
     */
    public static Key key(MemoryManager mm, long addr, boolean privateFutex) {
        if ((addr & 3) != 0) {
            throw Errno.EINVAL.exception();
        }
        if (privateFutex) {
            if (addr < 0) {
                throw Errno.EFAULT.exception();
            }
            return new Key(mm, addr);
        }
        Vma v = mm.futexVma(addr);
        return v.shared() ? new Key(null, v.backingOf(addr)) : new Key(mm, addr);
    }

    /**
     * FUTEX_WAIT(_BITSET): if {@code value} (read atomically under the table lock) still equals {@code expected},
     * sleeps until woken, the deadline ({@link System#nanoTime} based, or {@link Waiter#FOREVER}) or an
     * interruption. Returns 0 when woken, -EAGAIN when the value differed, -ETIMEDOUT or -EINTR. A failing read
     * throws (EFAULT). Task thread of {@code t}.
     */
    public int wait(Task t, Key key, IntSupplier value, int expected, int bitset, long deadline) {
        FutexWaiter w = new FutexWaiter(t, key, bitset);
        synchronized (this) {
            if (value.getAsInt() != expected) {
                return (int) Errno.EAGAIN.ret();
            }
            queues.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(w);
        }
        int r = 0;
        for (;;) {
            synchronized (this) {
                if (w.woken) {
                    return 0;
                }
                if (r < 0) {
                    dequeue(w);
                    return r;
                }
            }
            r = t.waiter().await(deadline);
        }
    }

    /** FUTEX_WAKE(_BITSET): wakes up to {@code n} waiters on {@code key} whose bitset meets {@code bitset}. */
    public synchronized int wake(Key key, int n, int bitset) {
        ArrayDeque<FutexWaiter> q = queues.get(key);
        if (q == null) {
            return 0;
        }
        int woken = 0;
        for (Iterator<FutexWaiter> it = q.iterator(); it.hasNext() && woken < Math.max(n, 1); ) {
            FutexWaiter w = it.next();
            if ((w.bitset & bitset) != 0) {
                it.remove();
                wakeOne(w);
                woken++;
            }
        }
        if (q.isEmpty()) {
            queues.remove(key);
        }
        return woken;
    }

    /**
     * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: when {@code check} is null or returns true (checked under the lock),
     * wakes up to {@code nWake} waiters on {@code from} and moves up to {@code nRequeue} more to {@code to}.
     * Returns the woken plus the requeued, or -EAGAIN when the check fails.
     */
    public synchronized int requeue(Key from, Key to, int nWake, int nRequeue, java.util.function.BooleanSupplier check) {
        if (check != null && !check.getAsBoolean()) {
            return (int) Errno.EAGAIN.ret();
        }
        ArrayDeque<FutexWaiter> q = queues.get(from);
        if (q == null) {
            return 0;
        }
        int woken = 0;
        while (woken < nWake && !q.isEmpty()) {
            wakeOne(q.pollFirst());
            woken++;
        }
        int moved = 0;
        if (!from.equals(to)) {
            List<FutexWaiter> move = new ArrayList<>();
            while (moved < nRequeue && !q.isEmpty()) {
                move.add(q.pollFirst());
                moved++;
            }
            if (!move.isEmpty()) {
                ArrayDeque<FutexWaiter> dst = queues.computeIfAbsent(to, k -> new ArrayDeque<>());
                for (FutexWaiter w : move) {
                    w.key = to;
                    dst.addLast(w);
                }
            }
        } else {
            moved = Math.min(nRequeue, q.size()); // requeued onto itself: they stay, but count
        }
        if (q.isEmpty()) {
            queues.remove(from);
        }
        return woken + moved;
    }

    /**
     * FUTEX_WAKE_OP: runs {@code op} (the atomic operation on the second word, returning whether its old value
     * passed the comparison) under the lock, wakes up to {@code nWake} on {@code key1}, then, if the comparison
     * held, up to {@code nWake2} on {@code key2}. Returns the total woken. {@code op} may throw (EFAULT).
     */
    public synchronized int wakeOp(Key key1, Key key2, int nWake, int nWake2, java.util.function.BooleanSupplier op) {
        boolean cmp = op.getAsBoolean();
        int woken = wake(key1, nWake, MATCH_ANY);
        if (cmp) {
            woken += wake(key2, nWake2, MATCH_ANY);
        }
        return woken;
    }

    /** Waiters queued on {@code key} (tests). */
    public synchronized int waiters(Key key) {
        ArrayDeque<FutexWaiter> q = queues.get(key);
        return q == null ? 0 : q.size();
    }

    private void wakeOne(FutexWaiter w) {
        w.woken = true;
        w.task.waiter().wake();
    }

    private void dequeue(FutexWaiter w) {
        ArrayDeque<FutexWaiter> q = queues.get(w.key);
        if (q != null) {
            q.remove(w);
            if (q.isEmpty()) {
                queues.remove(w.key);
            }
        }
    }
}
