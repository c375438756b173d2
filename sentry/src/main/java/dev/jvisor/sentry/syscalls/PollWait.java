package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.fs.host.HostFileDescription;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntSupplier;

/**
 * The wait shared by poll, select and epoll_wait: check, register on every file's queue, check again, sleep,
 * repeat, until something is ready, the deadline passes or the task is interrupted. Files backed by a host fd
 * cannot notify a queue, so when any is in the set the sleep is a host ppoll on them plus the task's wake-up
 * eventfd ({@link Waiter#awaitHost}).
 */
final class PollWait {
    private PollWait() {}

    /**
     * Runs {@code scan} (which computes readiness and returns how many entries are ready) until it returns
     * non-zero or {@code deadline} ({@link System#nanoTime} based; {@link Waiter#FOREVER}; or 0 for no wait)
     * passes. Returns the last scan's count, or -ERESTARTNOHAND when the task is interrupted.
     *
     * @param files the files to register on (nulls skipped)
     * @param hostEvents for each file, the poll events to wait for when it is a host fd
     */
    static long await(Task t, FileDescription[] files, int[] hostEvents, int n, long deadline, IntSupplier scan) {
        int ready = scan.getAsInt();
        if (ready != 0 || deadline == 0) {
            return ready;
        }
        Waiter w = t.waiter();
        int hosts = 0;
        for (int i = 0; i < n; i++) {
            FileDescription f = files[i];
            if (f instanceof HostFileDescription) {
                hosts++;
            } else if (f != null && f.eventQueue() != null) {
                f.eventQueue().register(w, WaitQueue.ALL);
            }
        }
        Arena arena = hosts > 0 ? Arena.ofConfined() : null;
        try {
            MemorySegment pfds = null, ts = null;
            if (arena != null) {
                pfds = arena.allocate(8L * (hosts + 1));
                ts = arena.allocate(16);
            }
            for (;;) {
                ready = scan.getAsInt();
                if (ready != 0) {
                    return ready;
                }
                int r;
                if (arena == null) {
                    r = w.await(deadline);
                } else {
                    int k = 0;
                    for (int i = 0; i < n; i++) {
                        if (files[i] instanceof HostFileDescription h) {
                            pfds.set(ValueLayout.JAVA_INT, 8L * k, h.pollFd());
                            pfds.set(ValueLayout.JAVA_SHORT, 8L * k + 4, (short) hostEvents[i]);
                            pfds.set(ValueLayout.JAVA_SHORT, 8L * k + 6, (short) 0);
                            k++;
                        }
                    }
                    r = w.awaitHost(pfds, hosts, ts, deadline);
                }
                if (r == Errno.ERESTARTSYS.ret()) {
                    // poll and select restart only when no handler runs (ERESTARTNOHAND), else EINTR
                    return Errno.ERESTARTNOHAND.ret();
                }
                if (r < 0 && r != Errno.ETIMEDOUT.ret()) {
                    return r;
                }
                if (r == Errno.ETIMEDOUT.ret()) {
                    return scan.getAsInt();
                }
            }
        } finally {
            if (arena != null) {
                arena.close();
            }
            for (int i = 0; i < n; i++) {
                FileDescription f = files[i];
                if (f != null && !(f instanceof HostFileDescription) && f.eventQueue() != null) {
                    f.eventQueue().unregister(w);
                }
            }
        }
    }

    /** A deadline {@code nanos} from now (0 stays 0: no wait; huge values mean no deadline). */
    static long deadlineIn(long nanos) {
        if (nanos == 0) {
            return 0;
        }
        if (nanos >= Long.MAX_VALUE / 4) {
            return Waiter.FOREVER;
        }
        long d = System.nanoTime() + nanos;
        return d == 0 || d == Waiter.FOREVER ? d + 1 : d;
    }

    /** Nanoseconds left until {@code deadline}, at least 0. */
    static long remaining(long deadline) {
        return deadline == 0 ? 0 : Math.max(0, deadline - System.nanoTime());
    }
}
