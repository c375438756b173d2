package dev.jvisor.sentry.fs.signalfd;

import dev.jvisor.sentry.fs.anon.AnonFileDescription;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Poll;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.SignalDelivery;
import dev.jvisor.sentry.kernel.SignalInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.mm.MemoryManager;
import java.lang.foreign.MemorySegment;

/**
 * A signalfd(2): reading takes the pending signals of the <em>reading</em> task (its own and its process's) that
 * are in the mask, as {@code struct signalfd_siginfo} records of 128 bytes; it waits while there is none.
 * Readiness is likewise the polling task's. Waiters sleep on the process's {@code queuedEvents} queue.
 */
public final class SignalFileDescription extends AnonFileDescription {
    /** sizeof(struct signalfd_siginfo). */
    public static final int RECORD = 128;
    private static final int SSI_SIGNO = 0, SSI_ERRNO = 4, SSI_CODE = 8, SSI_PID = 12, SSI_UID = 16,
            SSI_TID = 24, SSI_OVERRUN = 32, SSI_STATUS = 40, SSI_INT = 44, SSI_PTR = 48, SSI_ADDR = 72;

    private volatile long mask;

    public SignalFileDescription(long mask, boolean nonblocking) {
        super(Fcntl.O_RDWR | (nonblocking ? Fcntl.O_NONBLOCK : 0), "signalfd");
        mask(mask);
    }

    /** Sets the signals this fd reads; SIGKILL and SIGSTOP are never among them. */
    public void mask(long m) {
        this.mask = m & ~(bit(Signals.SIGKILL) | bit(Signals.SIGSTOP));
    }

    public long mask() {
        return mask;
    }

    private static long bit(int sig) {
        return 1L << (sig - 1);
    }

    @Override
    public long readToUser(MemoryManager mm, long addr, long len) {
        if (len < RECORD) {
            return Errno.EINVAL.ret();
        }
        Task t = Task.current();
        if (t == null) {
            return Errno.EAGAIN.ret();
        }
        SignalInfo first = SignalDelivery.dequeue(t, mask);
        if (first == null) {
            if ((flags() & Fcntl.O_NONBLOCK) != 0) {
                return Errno.EAGAIN.ret();
            }
            WaitQueue q = t.threadGroup().signals().queuedEvents();
            q.register(t.waiter(), WaitQueue.EVENT_IN);
            try {
                while ((first = SignalDelivery.dequeue(t, mask)) == null) {
                    int w = t.waiter().await(Waiter.FOREVER);
                    if (w < 0) {
                        return w;
                    }
                }
            } finally {
                q.unregister(t.waiter());
            }
        }
        MemorySegment s = t.scratch().asSlice(0, RECORD);
        long n = 0;
        for (SignalInfo i = first; i != null; ) {
            encode(i, s);
            mm.copyOut(addr + n, s, RECORD); // a fault here loses the signal, as on Linux
            n += RECORD;
            i = n + RECORD <= len ? SignalDelivery.dequeue(t, mask) : null;
        }
        return n;
    }

    /** siginfo_t to signalfd_siginfo, by the siginfo's layout. */
    private static void encode(SignalInfo i, MemorySegment s) {
        s.fill((byte) 0);
        int signo = i.signo();
        int code = i.code();
        s.set(JAVA_INT_UNALIGNED, SSI_SIGNO, signo);
        s.set(JAVA_INT_UNALIGNED, SSI_ERRNO, i.getInt(SigInfo.ERRNO));
        s.set(JAVA_INT_UNALIGNED, SSI_CODE, code);
        MemorySegment in = i.segment();
        boolean fault = code > 0 && code != SigInfo.SI_KERNEL && (signo == Signals.SIGSEGV
                || signo == Signals.SIGBUS || signo == Signals.SIGILL || signo == Signals.SIGFPE
                || signo == Signals.SIGTRAP);
        if (code == SigInfo.SI_TIMER) {
            s.set(JAVA_INT_UNALIGNED, SSI_TID, i.getInt(SigInfo.TIMERID));
            s.set(JAVA_INT_UNALIGNED, SSI_OVERRUN, i.getInt(SigInfo.OVERRUN));
            long v = in.get(JAVA_LONG_UNALIGNED, SigInfo.VALUE);
            s.set(JAVA_INT_UNALIGNED, SSI_INT, (int) v);
            s.set(JAVA_LONG_UNALIGNED, SSI_PTR, v);
        } else if (fault) {
            s.set(JAVA_LONG_UNALIGNED, SSI_ADDR, in.get(JAVA_LONG_UNALIGNED, SigInfo.ADDR));
        } else if (signo == Signals.SIGCHLD && code > 0) {
            s.set(JAVA_INT_UNALIGNED, SSI_PID, i.getInt(SigInfo.PID));
            s.set(JAVA_INT_UNALIGNED, SSI_UID, i.getInt(SigInfo.UID));
            s.set(JAVA_INT_UNALIGNED, SSI_STATUS, i.getInt(SigInfo.STATUS));
        } else {
            s.set(JAVA_INT_UNALIGNED, SSI_PID, i.getInt(SigInfo.PID));
            s.set(JAVA_INT_UNALIGNED, SSI_UID, i.getInt(SigInfo.UID));
            if (code < 0) { // sigqueue and friends carry a value
                long v = in.get(JAVA_LONG_UNALIGNED, SigInfo.VALUE);
                s.set(JAVA_INT_UNALIGNED, SSI_INT, (int) v);
                s.set(JAVA_LONG_UNALIGNED, SSI_PTR, v);
            }
        }
    }

    @Override
    public long writeFromUser(MemoryManager mm, long addr, long len) {
        return Errno.EINVAL.ret();
    }

    @Override
    public int readiness(int m) {
        Task t = Task.current();
        return t != null && (SignalDelivery.pending(t) & mask) != 0 ? Poll.POLLIN : 0;
    }

    @Override
    public WaitQueue eventQueue() {
        Task t = Task.current();
        return t != null ? t.threadGroup().signals().queuedEvents() : null;
    }

}
