package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Poll;
import dev.jvisor.abi.Time;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * poll(2), ppoll(2), select(2) and pselect6(2). Each resolves its fds once, then waits in {@link PollWait}.
 * The signal mask of ppoll and pselect6 is swapped in for the wait and restored after it.
 */
final class PollSyscalls {
    private PollSyscalls() {}

    private static final long SIGSET_SIZE = 8;
    /** "No mask given": the SIGKILL bit, which a task's stored mask never has. */
    private static final long NO_MASK = 1L << (dev.jvisor.abi.Signals.SIGKILL - 1);

    /** Implements poll(2). */
    static long poll(Task t, SyscallArguments a) {
        int ms = a.i(2);
        long deadline = ms < 0 ? Waiter.FOREVER : PollWait.deadlineIn(ms * 1_000_000L);
        return doPoll(t, a.a0, a.a1, deadline);
    }

    /** Implements ppoll(2): the remaining time is written back, as the raw syscall does. */
    static long ppoll(Task t, SyscallArguments a) {
        long deadline = Waiter.FOREVER;
        if (a.a2 != 0) {
            long ns = readTimespec(t, a.a2);
            if (ns < 0) {
                return ns;
            }
            deadline = PollWait.deadlineIn(ns);
        }
        long old = swapMask(t, a.a3, a.a4);
        if (old == Errno.EINVAL.ret() || old == Errno.EFAULT.ret()) {
            return old;
        }
        try {
            long r = doPoll(t, a.a0, a.a1, deadline);
            if (a.a2 != 0 && r != Errno.EFAULT.ret()) {
                writeTimespec(t, a.a2, PollWait.remaining(deadline));
            }
            return r;
        } finally {
            restoreMask(t, old);
        }
    }

    private static long doPoll(Task t, long fdsAddr, long nfdsArg, long deadline) {
        if (Long.compareUnsigned(nfdsArg, FileSyscalls.nofile(t)) > 0) {
            return Errno.EINVAL.ret();
        }
        int n = (int) nfdsArg;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfds = arena.allocate(Math.max(1L, (long) n * Poll.POLLFD_SIZE));
            if (n > 0) {
                t.mm().copyIn(fdsAddr, pfds, (long) n * Poll.POLLFD_SIZE);
            }
            FileDescription[] files = new FileDescription[n];
            int[] events = new int[n];
            try {
                for (int i = 0; i < n; i++) {
                    int fd = pfds.get(JAVA_INT, 8L * i);
                    // POLLERR and POLLHUP are always reported, whatever was asked for.
                    events[i] = (pfds.get(JAVA_SHORT, 8L * i + 4) & 0xffff) | Poll.POLLERR | Poll.POLLHUP;
                    if (fd >= 0) {
                        files[i] = t.fdTable().get(fd);
                    }
                }
                long r = PollWait.await(t, files, events, n, deadline, () -> {
                    int ready = 0;
                    for (int i = 0; i < n; i++) {
                        int fd = pfds.get(JAVA_INT, 8L * i);
                        int rev;
                        if (fd < 0) {
                            rev = 0;
                        } else if (files[i] == null) {
                            rev = Poll.POLLNVAL;
                        } else {
                            rev = files[i].readiness(events[i]) & events[i];
                        }
                        pfds.set(JAVA_SHORT, 8L * i + 6, (short) rev);
                        if (rev != 0) {
                            ready++;
                        }
                    }
                    return ready;
                });
                if (r < 0) {
                    return r;
                }
                for (int i = 0; i < n; i++) {
                    t.mm().copyOut(fdsAddr + 8L * i + 6, pfds.asSlice(8L * i + 6, 2), 2);
                }
                return r;
            } finally {
                for (FileDescription f : files) {
                    if (f != null) {
                        f.decRef();
                    }
                }
            }
        }
    }

    /** Implements select(2): the remaining time is written back to the timeval, as Linux does. */
    static long select(Task t, SyscallArguments a) {
        long deadline = Waiter.FOREVER;
        if (a.a4 != 0) {
            MemorySegment s = t.scratch();
            t.mm().copyIn(a.a4, s, 16);
            long sec = s.get(JAVA_LONG, 0), usec = s.get(JAVA_LONG, 8);
            if (sec < 0 || usec < 0 || usec >= 1_000_000) {
                return Errno.EINVAL.ret();
            }
            deadline = PollWait.deadlineIn(sec >= Long.MAX_VALUE / Time.NANOS_PER_SECOND ? Long.MAX_VALUE
                    : sec * Time.NANOS_PER_SECOND + usec * 1000);
        }
        long r = doSelect(t, a.i(0), a.a1, a.a2, a.a3, deadline);
        if (a.a4 != 0 && r != Errno.EFAULT.ret() && r != Errno.EBADF.ret() && r != Errno.EINVAL.ret()) {
            long left = PollWait.remaining(deadline);
            MemorySegment s = t.scratch();
            s.set(JAVA_LONG, 0, left / Time.NANOS_PER_SECOND);
            s.set(JAVA_LONG, 8, left % Time.NANOS_PER_SECOND / 1000);
            writeBackQuietly(t, a.a4, s);
        }
        return r;
    }

    /** Implements pselect6(2): a timespec timeout, written back; the sixth argument is {sigmask*, size}. */
    static long pselect6(Task t, SyscallArguments a) {
        long deadline = Waiter.FOREVER;
        if (a.a4 != 0) {
            long ns = readTimespec(t, a.a4);
            if (ns < 0) {
                return ns;
            }
            deadline = PollWait.deadlineIn(ns);
        }
        long maskAddr = 0, maskSize = 0;
        if (a.a5 != 0) {
            MemorySegment s = t.scratch();
            t.mm().copyIn(a.a5, s, 16);
            maskAddr = s.get(JAVA_LONG, 0);
            maskSize = s.get(JAVA_LONG, 8);
        }
        long old = swapMask(t, maskAddr, maskSize);
        if (old == Errno.EINVAL.ret() || old == Errno.EFAULT.ret()) {
            return old;
        }
        try {
            long r = doSelect(t, a.i(0), a.a1, a.a2, a.a3, deadline);
            if (a.a4 != 0 && (r >= 0 || r == Errno.ERESTARTNOHAND.ret())) {
                long left = PollWait.remaining(deadline);
                MemorySegment s = t.scratch();
                s.set(JAVA_LONG, 0, left / Time.NANOS_PER_SECOND);
                s.set(JAVA_LONG, 8, left % Time.NANOS_PER_SECOND);
                writeBackQuietly(t, a.a4, s);
            }
            return r;
        } finally {
            restoreMask(t, old);
        }
    }

    private static long doSelect(Task t, int nfds, long inAddr, long outAddr, long exAddr, long deadline) {
        if (nfds < 0) {
            return Errno.EINVAL.ret();
        }
        int n = (int) Math.min(nfds, FileSyscalls.nofile(t));
        int words = (n + 63) / 64;
        long[] in = readSet(t, inAddr, words), out = readSet(t, outAddr, words), ex = readSet(t, exAddr, words);
        FileDescription[] files = new FileDescription[n];
        int[] events = new int[n];
        try {
            for (int fd = 0; fd < n; fd++) {
                int w = fd >>> 6;
                long bit = 1L << (fd & 63);
                int ev = 0;
                if (in != null && (in[w] & bit) != 0) {
                    ev |= Poll.POLLIN_SET;
                }
                if (out != null && (out[w] & bit) != 0) {
                    ev |= Poll.POLLOUT_SET;
                }
                if (ex != null && (ex[w] & bit) != 0) {
                    ev |= Poll.POLLEX_SET;
                }
                if (ev == 0) {
                    continue;
                }
                files[fd] = t.fdTable().get(fd);
                if (files[fd] == null) {
                    return Errno.EBADF.ret();
                }
                events[fd] = ev;
            }
            long[] rin = new long[words], rout = new long[words], rex = new long[words];
            long r = PollWait.await(t, files, events, n, deadline, () -> {
                int ready = 0;
                java.util.Arrays.fill(rin, 0);
                java.util.Arrays.fill(rout, 0);
                java.util.Arrays.fill(rex, 0);
                for (int fd = 0; fd < n; fd++) {
                    if (files[fd] == null) {
                        continue;
                    }
                    int m = files[fd].readiness(events[fd]);
                    int w = fd >>> 6;
                    long bit = 1L << (fd & 63);
                    if ((m & Poll.POLLIN_SET) != 0 && (events[fd] & Poll.POLLIN) != 0) {
                        rin[w] |= bit;
                        ready++;
                    }
                    if ((m & Poll.POLLOUT_SET) != 0 && (events[fd] & Poll.POLLOUT) != 0) {
                        rout[w] |= bit;
                        ready++;
                    }
                    if ((m & Poll.POLLEX_SET) != 0 && (events[fd] & Poll.POLLPRI) != 0) {
                        rex[w] |= bit;
                        ready++;
                    }
                }
                return ready;
            });
            if (r < 0) {
                return r;
            }
            writeSet(t, inAddr, rin);
            writeSet(t, outAddr, rout);
            writeSet(t, exAddr, rex);
            return r;
        } finally {
            for (FileDescription f : files) {
                if (f != null) {
                    f.decRef();
                }
            }
        }
    }

    private static long[] readSet(Task t, long addr, int words) {
        if (addr == 0) {
            return null;
        }
        long[] set = new long[words];
        for (int i = 0; i < words; i++) {
            set[i] = t.mm().readLong(addr + 8L * i);
        }
        return set;
    }

    private static void writeSet(Task t, long addr, long[] set) {
        if (addr == 0) {
            return;
        }
        for (int i = 0; i < set.length; i++) {
            t.mm().writeLong(addr + 8L * i, set[i]);
        }
    }

    /** A struct timespec as nanoseconds; -EFAULT, or -EINVAL when negative or out of range. */
    static long readTimespec(Task t, long addr) {
        MemorySegment s = t.scratch();
        t.mm().copyIn(addr, s, Time.TIMESPEC_SIZE);
        long sec = s.get(JAVA_LONG, 0), nsec = s.get(JAVA_LONG, 8);
        if (sec < 0 || nsec < 0 || nsec >= Time.NANOS_PER_SECOND) {
            return Errno.EINVAL.ret();
        }
        return sec >= Long.MAX_VALUE / Time.NANOS_PER_SECOND / 4 ? Long.MAX_VALUE : sec * Time.NANOS_PER_SECOND + nsec;
    }

    private static void writeTimespec(Task t, long addr, long ns) {
        MemorySegment s = t.scratch();
        s.set(JAVA_LONG, 0, ns / Time.NANOS_PER_SECOND);
        s.set(JAVA_LONG, 8, ns % Time.NANOS_PER_SECOND);
        writeBackQuietly(t, addr, s);
    }

    /** Linux ignores a failure to write the remaining time back. */
    private static void writeBackQuietly(Task t, long addr, MemorySegment s) {
        try {
            t.mm().copyOut(addr, s, 16);
        } catch (dev.jvisor.abi.ErrnoException ignored) {
            // the result stands
        }
    }

    /**
     * Installs the sigmask at {@code addr} (when non-null) for the wait; returns the old mask to restore,
     * {@link #NO_MASK} when none was given, or -EINVAL (size not 8) / -EFAULT.
     */
    static long swapMask(Task t, long addr, long size) {
        if (addr == 0) {
            return NO_MASK;
        }
        if (size != SIGSET_SIZE) {
            return Errno.EINVAL.ret();
        }
        long mask = t.mm().readLong(addr);
        long old = t.signalMask();
        t.signalMask(mask);
        return old;
    }

    static void restoreMask(Task t, long old) {
        if (old != NO_MASK) {
            t.signalMask(old);
        }
    }
}
