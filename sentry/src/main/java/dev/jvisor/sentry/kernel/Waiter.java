package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
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

    /** Wakes the task if it is waiting, or makes its next {@link #await} return at once. Any thread. */
    public void wake() {
        woken = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
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
