package dev.jvisor.sentry.kernel;

/**
 * A one-shot event tasks can wait for, such as a vfork child's exec or exit (Linux's {@code completion}).
 * Thread-safe.
 */
public final class Completion {
    private final WaitQueue queue = new WaitQueue();
    private volatile boolean done;

    /** Marks the event as happened and wakes every waiter. Any thread; later calls do nothing more. */
    public void complete() {
        done = true;
        queue.notify(WaitQueue.ALL);
    }

    public boolean isDone() {
        return done;
    }

    /**
     * Waits until the event happens: 0, or {@code -EINTR} when {@code t} is ending first (its process is being
     * killed). Signals do not interrupt it, as with Linux's killable vfork wait. Task thread of {@code t}.
     */
    public int await(Task t) {
        if (done) {
            return 0;
        }
        queue.register(t.waiter(), WaitQueue.ALL);
        try {
            while (!done) {
                int r = t.waiter().awaitKillable(Waiter.FOREVER);
                if (r < 0 && !done) {
                    return r;
                }
            }
            return 0;
        } finally {
            queue.unregister(t.waiter());
        }
    }
}
