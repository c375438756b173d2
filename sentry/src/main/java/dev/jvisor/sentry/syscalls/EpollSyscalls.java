package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.fs.epoll.EpollFileDescription;
import dev.jvisor.sentry.fs.host.HostFileDescription;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2), epoll_pwait(2), epoll_pwait2(2). */
final class EpollSyscalls {
    private EpollSyscalls() {}

    /** Implements epoll_create(2): the size is only checked. */
    static long epollCreate(Task t, SyscallArguments a) {
        if (a.i(0) <= 0) {
            return Errno.EINVAL.ret();
        }
        return EventSyscalls.install(t, new EpollFileDescription(), false);
    }

    /** Implements epoll_create1(2). */
    static long epollCreate1(Task t, SyscallArguments a) {
        int flags = a.i(0);
        if ((flags & ~Poll.EPOLL_CLOEXEC) != 0) {
            return Errno.EINVAL.ret();
        }
        return EventSyscalls.install(t, new EpollFileDescription(), flags != 0);
    }

    /** Implements epoll_ctl(2), with Linux's order of checks. */
    static long epollCtl(Task t, SyscallArguments a) {
        int epfd = a.i(0), op = a.i(1), fd = a.i(2);
        int events = 0;
        long data = 0;
        if (op != Poll.EPOLL_CTL_DEL) {
            MemorySegment s = t.scratch();
            t.mm().copyIn(a.a3, s, Poll.EPOLL_EVENT_SIZE);
            events = s.get(JAVA_INT_UNALIGNED, 0);
            data = s.get(JAVA_LONG_UNALIGNED, 4);
        }
        FileDescription ef = t.fdTable().get(epfd);
        if (ef == null) {
            return Errno.EBADF.ret();
        }
        FileDescription tf = null;
        try {
            tf = t.fdTable().get(fd);
            if (tf == null) {
                return Errno.EBADF.ret();
            }
            if (tf.eventQueue() == null) {
                return Errno.EPERM.ret();
            }
            // Without CAP_BLOCK_SUSPEND Linux drops EPOLLWAKEUP silently; the sandbox never grants it.
            events &= ~Poll.EPOLLWAKEUP;
            if (ef == tf || !(ef instanceof EpollFileDescription ep)) {
                return Errno.EINVAL.ret();
            }
            if (op != Poll.EPOLL_CTL_DEL && (events & Poll.EPOLLEXCLUSIVE) != 0) {
                if (op == Poll.EPOLL_CTL_MOD) {
                    return Errno.EINVAL.ret();
                }
                if (op == Poll.EPOLL_CTL_ADD && (tf instanceof EpollFileDescription
                        || (events & ~EpollFileDescription.EXCLUSIVE_OK_BITS) != 0)) {
                    return Errno.EINVAL.ret();
                }
            }
            return switch (op) {
                case Poll.EPOLL_CTL_ADD -> ep.add(tf, fd, events, data);
                case Poll.EPOLL_CTL_MOD -> ep.modify(tf, fd, events, data);
                case Poll.EPOLL_CTL_DEL -> ep.remove(tf, fd);
                default -> Errno.EINVAL.ret();
            };
        } finally {
            ef.decRef();
            if (tf != null) {
                tf.decRef();
            }
        }
    }

    /** Implements epoll_wait(2). */
    static long epollWait(Task t, SyscallArguments a) {
        return doWait(t, a.i(0), a.a1, a.i(2), msDeadline(a.i(3)));
    }

    /** Implements epoll_pwait(2): the signal mask is swapped in for the wait. */
    static long epollPwait(Task t, SyscallArguments a) {
        long old = PollSyscalls.swapMask(t, a.a4, a.a5);
        if (old == Errno.EINVAL.ret() || old == Errno.EFAULT.ret()) {
            return old;
        }
        try {
            return doWait(t, a.i(0), a.a1, a.i(2), msDeadline(a.i(3)));
        } finally {
            PollSyscalls.restoreMask(t, old);
        }
    }

    /** Implements epoll_pwait2(2): a timespec timeout (NULL waits forever). */
    static long epollPwait2(Task t, SyscallArguments a) {
        long deadline = Waiter.FOREVER;
        if (a.a3 != 0) {
            long ns = PollSyscalls.readTimespec(t, a.a3);
            if (ns < 0) {
                return ns;
            }
            deadline = PollWait.deadlineIn(ns);
        }
        long old = PollSyscalls.swapMask(t, a.a4, a.a5);
        if (old == Errno.EINVAL.ret() || old == Errno.EFAULT.ret()) {
            return old;
        }
        try {
            return doWait(t, a.i(0), a.a1, a.i(2), deadline);
        } finally {
            PollSyscalls.restoreMask(t, old);
        }
    }

    private static long msDeadline(int ms) {
        return ms < 0 ? Waiter.FOREVER : PollWait.deadlineIn(ms * 1_000_000L);
    }

    private static long doWait(Task t, int epfd, long eventsAddr, int maxevents, long deadline) {
        if (maxevents <= 0 || maxevents > Poll.EP_MAX_EVENTS) {
            return Errno.EINVAL.ret();
        }
        if (!Mman.accessOk(eventsAddr, (long) maxevents * Poll.EPOLL_EVENT_SIZE)) {
            return Errno.EFAULT.ret();
        }
        FileDescription f = t.fdTable().get(epfd);
        if (f == null) {
            return Errno.EBADF.ret();
        }
        try (Arena arena = Arena.ofConfined()) {
            if (!(f instanceof EpollFileDescription ep)) {
                return Errno.EINVAL.ret();
            }
            int max = Math.min(maxevents, 1024);
            MemorySegment out = arena.allocate((long) max * Poll.EPOLL_EVENT_SIZE);
            List<Integer> hostEvents = new ArrayList<>();
            List<HostFileDescription> hosts = ep.polledFiles(hostEvents);
            FileDescription[] files = new FileDescription[1 + hosts.size()];
            int[] events = new int[files.length];
            files[0] = ep;
            for (int i = 0; i < hosts.size(); i++) {
                files[i + 1] = hosts.get(i);
                events[i + 1] = hostEvents.get(i);
            }
            long n = PollWait.await(t, files, events, files.length, deadline, () -> ep.harvest(out, max));
            if (n == Errno.ERESTARTNOHAND.ret()) {
                return Errno.EINTR.ret(); // epoll_wait is never restarted, whatever SA_RESTART says
            }
            if (n <= 0) {
                return n;
            }
            t.mm().copyOut(eventsAddr, out, n * Poll.EPOLL_EVENT_SIZE);
            return n;
        } finally {
            f.decRef();
        }
    }
}
