package dev.jvisor.sentry.kernel;

/** The kernel side of execve(2) in a multi-threaded process: the other threads die, the caller takes the PID. */
public final class Exec {
    private Exec() {}

    /**
     * Ends every other task of {@code t}'s process and waits until they are gone; then, if {@code t} was not the
     * leader, it takes over the process's PID as its TID. Returns 0, or {@code -EINTR} if the process is being
     * killed meanwhile. Task thread of {@code t}.
     */
    public static int deThread(Task t) {
        ThreadGroup tg = t.threadGroup();
        WaitQueue q = tg.taskExits();
        q.register(t.waiter(), WaitQueue.ALL);
        try {
            for (Task o : tg.tasks()) {
                if (o != t) {
                    o.exit();
                    o.interrupt();
                }
            }
            while (tg.taskCount() > 1) {
                int r = t.waiter().awaitKillable(Waiter.FOREVER); // de_thread: killable, not interruptible
                if (r < 0) {
                    return r;
                }
            }
        } finally {
            q.unregister(t.waiter());
        }
        PidNamespace ns = tg.namespace();
        synchronized (ns) {
            int old = t.tid();
            if (old != tg.pid()) {
                t.tid(tg.pid());
                ns.renumber(t, old);
            }
        }
        return 0;
    }
}
