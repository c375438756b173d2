package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * How a task blocks in the sentry: its thread parks here until something it waits for happens ({@link #wake}),
 * its task is interrupted (a signal to handle, the process exiting: {@link Task#interrupt}), or a deadline
 * passes. Java's own {@code Thread.interrupt} is never used, so it cannot leak into library code.
 *
 * <p>The usual loop, for a blocking read:
 * <pre>{@code
 * for (;;) {
 *     long n = file.read(...);                 // non-blocking attempt
 *     if (n != -EAGAIN) return n;
 *     queue.register(t.waiter(), EVENT_IN);    // then try once more before sleeping: no lost wake-up
 *     try {
 *         n = file.read(...);
 *         if (n != -EAGAIN) return n;
 *         int r = t.waiter().await(deadline);   // 0, -ERESTARTSYS or -ETIMEDOUT
 *         if (r < 0) return r;
 *     } finally {
 *         queue.unregister(t.waiter());
 *     }
 * }
 * }</pre>
 * One per task; {@link #await} is called only by the task's thread, {@link #wake} by anyone.
 */
public final class Waiter {
    /** No deadline. */
    public static final long FOREVER = Long.MAX_VALUE;

    private final Task task;
    private volatile Thread thread;
    /** Set by {@link #wake} and consumed by {@link #await}: a wake-up that comes before the park is kept. */
    private volatile boolean woken;

    Waiter(Task task) {
        this.task = task;
    }

    /** Binds the waiter to the thread that runs its task (called when that thread starts). */
    void bind(Thread t) {
        this.thread = t;
    }

    /** Whether the caller is the thread that runs this waiter's task. */
    boolean onOwnThread() {
        return thread == Thread.currentThread();
    }

    /**
     * A host eventfd, made on first use, that {@link #wake} writes while the task waits in a host ppoll
     * ({@link #awaitHost}): a native call cannot be unparked, so the eventfd is one of the fds it polls.
     */
    private volatile int hostEventFd = -1;
    /** Set while the task is in {@link #awaitHost}'s ppoll. */
    private volatile boolean inHostWait;

    /** Wakes the task if it is waiting, or makes its next {@link #await} return at once. Any thread. */
    public void wake() {
        woken = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        // Either the waiter sees woken before it polls, or we see inHostWait here (both volatile).
        if (inHostWait) {
            int efd = hostEventFd;
            if (efd >= 0) {
                Host.eventfdSignal(efd);
            }
        }
    }

    /**
     * Like {@link #await}, but also returns when one of the host fds in {@code pollfds} (an array of {@code
     * struct pollfd} with {@code n} entries and one more, free slot at the end for the waiter's eventfd) is ready;
     * their revents are then set. The host wait is a ppoll, so the host descriptions' flags are never touched.
     * Returns 0 (woken or a host fd ready; callers re-check), {@code -ERESTARTSYS} when the task is interrupted
     * (as {@link #await(long)}), or {@code -ETIMEDOUT}.
     * {@code timespec} is 16 bytes of scratch for the timeout.
     */
    public int awaitHost(MemorySegment pollfds, int n, MemorySegment timespec, long deadline) {
        int efd = hostEventFd;
        if (efd < 0) {
            efd = Host.eventfd(0, EFD_NONBLOCK_CLOEXEC);
            if (efd < 0) {
                return efd;
            }
            hostEventFd = efd;
        }
        long slot = 8L * n;
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_INT, slot, efd);
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, slot + 4, (short) 1); // POLLIN
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, slot + 6, (short) 0);
        inHostWait = true;
        try {
            if (task.interrupted()) {
                return (int) Errno.ERESTARTSYS.ret();
            }
            if (woken) {
                woken = false;
                return 0;
            }
            MemorySegment ts = MemorySegment.NULL;
            if (deadline != FOREVER) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return (int) Errno.ETIMEDOUT.ret();
                }
                timespec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, left / 1_000_000_000L);
                timespec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, left % 1_000_000_000L);
                ts = timespec;
            }
            int r = Host.ppoll(pollfds, n + 1, ts);
            if (r < 0 && r != (int) Errno.EINTR.ret()) {
                return r;
            }
        } finally {
            inHostWait = false;
            Host.eventfdDrain(efd);
        }
        if (task.interrupted()) {
            return (int) Errno.ERESTARTSYS.ret();
        }
        woken = false;
        return deadline != FOREVER && deadline - System.nanoTime() <= 0 ? (int) Errno.ETIMEDOUT.ret() : 0;
    }

    private static final int EFD_NONBLOCK_CLOEXEC = 04000 | 02000000;

    /** Closes the host eventfd, if one was made; called when the task is gone. */
    void release() {
        int efd = hostEventFd;
        hostEventFd = -1;
        if (efd >= 0) {
            Host.close(efd);
        }
    }

    /**
     * Waits for a {@link #wake}, an interruption or the deadline ({@link System#nanoTime} based, or
     * {@link #FOREVER}). Returns 0 when woken, {@code -ERESTARTSYS} when the task was interrupted (a signal: the
     * syscall returns it, and signal delivery turns it into EINTR or a restart as SA_RESTART says; or its
     * process is exiting), {@code -ETIMEDOUT} when the deadline passed. Spurious returns of 0 are possible:
     * callers re-check their condition.
     */
    public int await(long deadline) {
        return await(deadline, false);
    }

    /**
     * Like {@link #await(long)}, but only the task's end (its process exiting, a SIGKILL) interrupts the wait, not
     * a pending signal: Linux's TASK_KILLABLE sleeps (a vfork parent waiting for its child, execve waiting for
     * the other threads to go). Returns {@code -EINTR} when the task is ending.
     */
    public int awaitKillable(long deadline) {
        return await(deadline, true);
    }

    private int await(long deadline, boolean killableOnly) {
        for (;;) {
            if (killableOnly ? task.exiting() : task.interrupted()) {
                return (int) (killableOnly ? Errno.EINTR : Errno.ERESTARTSYS).ret();
            }
            if (woken) {
                woken = false;
                return 0;
            }
            if (deadline == FOREVER) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return (int) Errno.ETIMEDOUT.ret();
                }
                LockSupport.parkNanos(this, left);
            }
        }
    }

    /** Sleeps until the deadline unless interrupted: 0 at the deadline, {@code -ERESTARTSYS} if interrupted first. */
    public int sleepUntil(long deadline) {
        for (;;) {
            if (task.interrupted()) {
                return (int) Errno.ERESTARTSYS.ret();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return 0;
            }
            LockSupport.parkNanos(this, left);
        }
    }
}
