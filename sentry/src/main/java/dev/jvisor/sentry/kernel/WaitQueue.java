package dev.jvisor.sentry.kernel;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tasks waiting for events on one object (a pipe's readers, a futex word, a child's exit). Objects call
 * {@link #notify(int)} when something happens; every registered waiter whose mask intersects the events is
 * woken. Thread-safe; registration and notification never block.
 */
public final class WaitQueue {
    /** Event bits, as poll(2)'s. */
    public static final int EVENT_IN = 0x1, EVENT_PRI = 0x2, EVENT_OUT = 0x4, EVENT_ERR = 0x8, EVENT_HUP = 0x10,
            EVENT_RDHUP = 0x2000, ALL = -1;

    private record Entry(Waiter waiter, int mask) {}

    private final CopyOnWriteArrayList<Entry> entries = new CopyOnWriteArrayList<>();

    public void register(Waiter w, int mask) {
        entries.add(new Entry(w, mask));
    }

    /** Removes every registration of {@code w}. */
    public void unregister(Waiter w) {
        entries.removeIf(e -> e.waiter == w);
    }

    /** Wakes the waiters interested in {@code events}. */
    public void notify(int events) {
        for (Entry e : entries) {
            if ((e.mask & events) != 0) {
                e.waiter.wake();
            }
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
