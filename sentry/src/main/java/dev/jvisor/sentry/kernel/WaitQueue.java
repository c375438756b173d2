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

    /**
     * Something other than a task that wants to hear about events (an epoll instance watching a file). Called on
     * the notifying thread, which holds none of the notifying object's locks; it must not block.
     */
    @FunctionalInterface
    public interface Listener {
        void onEvents(int events);
    }

    private record Entry(Waiter waiter, Listener listener, int mask) {}

    private final CopyOnWriteArrayList<Entry> entries = new CopyOnWriteArrayList<>();

    public void register(Waiter w, int mask) {
        entries.add(new Entry(w, null, mask));
    }

    public void addListener(Listener l, int mask) {
        entries.add(new Entry(null, l, mask));
    }

    public void removeListener(Listener l) {
        entries.removeIf(e -> e.listener == l);
    }

    /** Removes every registration of {@code w}. */
    public void unregister(Waiter w) {
        entries.removeIf(e -> e.waiter == w && w != null);
    }

    /** Wakes the waiters interested in {@code events}. Call it without holding the object's own locks. */
    public void notify(int events) {
        for (Entry e : entries) {
            if ((e.mask & events) != 0) {
                if (e.waiter != null) {
                    e.waiter.wake();
                } else {
                    e.listener.onEvents(events);
                }
            }
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
