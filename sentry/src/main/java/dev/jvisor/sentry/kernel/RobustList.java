package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.sentry.mm.MemoryManager;

/**
 * The robust futex list of a dying task (set_robust_list(2), kernel's Documentation/locking/robust-futexes):
 * every lock it still holds gets FUTEX_OWNER_DIED, and one waiter of each is woken, so that the next
 * pthread_mutex_lock returns EOWNERDEAD.
 */
final class RobustList {
    private RobustList() {}

    /** ROBUST_LIST_LIMIT: a list longer than this (or circular) is cut off. */
    private static final int LIMIT = 2048;
    static final int FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;

    /** Walks {@code t}'s list, if any; a fault anywhere ends the walk, as in Linux. */
    static void release(Task t, MemoryManager mm) {
        long head = t.robustList();
        if (head == 0) {
            return;
        }
        t.robustList(0, 0);
        try {
            long entry = mm.readLong(head);
            long offset = mm.readLong(head + 8);
            long pending = mm.readLong(head + 16) & ~1L;
            int n = 0;
            while (entry != head && (entry & ~1L) != head && n++ < LIMIT) {
                long e = entry & ~1L;
                long next = mm.readLong(e); // read before the lock is handed over and its memory reused
                if (e != pending) {
                    ownerDied(t, mm, e + offset);
                }
                entry = next;
            }
            if (pending != 0) {
                ownerDied(t, mm, pending + offset);
            }
        } catch (ErrnoException e) {
            // A fault in the list: Linux stops walking it.
        }
    }

    private static void ownerDied(Task t, MemoryManager mm, long uaddr) {
        if ((uaddr & 3) != 0) {
            return;
        }
        for (;;) {
            int v = mm.loadAtomicInt(uaddr);
            if ((v & FUTEX_TID_MASK) != t.tid()) {
                return;
            }
            int nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
            if (mm.compareAndExchangeInt(uaddr, v, nv) == v) {
                if ((v & FUTEX_WAITERS) != 0) {
                    t.kernel().futexes().wake(FutexTable.key(mm, uaddr, false), 1, FutexTable.MATCH_ANY);
                }
                return;
            }
        }
    }
}
