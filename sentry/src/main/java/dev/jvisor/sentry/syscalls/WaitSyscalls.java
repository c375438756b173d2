package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.ChildWait;
import dev.jvisor.sentry.kernel.ChildWait.Select;
import dev.jvisor.sentry.kernel.Task;
import java.lang.foreign.MemorySegment;

/** Waiting for children: wait4(2) and waitid(2). */
final class WaitSyscalls {
    private WaitSyscalls() {}

    /** sizeof(siginfo_t). */
    private static final int SIGINFO_SIZE = 128;
    private static final int P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
    private static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;

    /** Implements wait4(2). */
    static long wait4(Task t, SyscallArguments a) {
        int pid = a.i(0);
        int options = a.i(2);
        if ((options & ~(ChildWait.WNOHANG | ChildWait.WSTOPPED | ChildWait.WCONTINUED | ChildWait.WNOTHREAD
                | ChildWait.WALL | ChildWait.WCLONE)) != 0) {
            return Errno.EINVAL.ret();
        }
        if (pid == Integer.MIN_VALUE) {
            return Errno.ESRCH.ret(); // -INT_MIN cannot be negated into a process group
        }
        Select sel;
        int id;
        if (pid > 0) {
            sel = Select.PID;
            id = pid;
        } else if (pid == -1) {
            sel = Select.ANY;
            id = 0;
        } else if (pid == 0) {
            sel = Select.PGID;
            id = t.threadGroup().pgid();
        } else {
            sel = Select.PGID;
            id = -pid;
        }
        int[] out = new int[2];
        long[] usage = a.a3 != 0 ? new long[3] : null;
        long r = ChildWait.await(t, sel, id, options | ChildWait.WEXITED, out, usage);
        if (r > 0) {
            if (a.a1 != 0) {
                t.mm().writeInt(a.a1, out[0]);
            }
            if (usage != null) {
                TimerSyscalls.writeRusage(t, a.a3, usage[0], usage[1], usage[2]);
            }
        }
        return r;
    }

    /** Implements waitid(2). */
    static long waitid(Task t, SyscallArguments a) {
        int idtype = a.i(0);
        int id = a.i(1);
        int options = a.i(3);
        if ((options & ~(ChildWait.WNOHANG | ChildWait.WSTOPPED | ChildWait.WEXITED | ChildWait.WCONTINUED
                | ChildWait.WNOWAIT | ChildWait.WNOTHREAD | ChildWait.WALL | ChildWait.WCLONE)) != 0
                || (options & (ChildWait.WEXITED | ChildWait.WSTOPPED | ChildWait.WCONTINUED)) == 0) {
            return Errno.EINVAL.ret();
        }
        Select sel;
        switch (idtype) {
            case P_ALL -> sel = Select.ANY;
            case P_PID -> {
                if (id <= 0) {
                    return Errno.EINVAL.ret();
                }
                sel = Select.PID;
            }
            case P_PGID -> {
                if (id < 0) {
                    return Errno.EINVAL.ret();
                }
                sel = Select.PGID;
                if (id == 0) {
                    id = t.threadGroup().pgid();
                }
            }
            case P_PIDFD -> {
                return Errno.EINVAL.ret(); // no pidfds in the sandbox yet: no fd can be one
            }
            default -> {
                return Errno.EINVAL.ret();
            }
        }
        int[] out = new int[2];
        long[] usage = a.a4 != 0 ? new long[3] : null;
        long r = ChildWait.await(t, sel, id, options, out, usage);
        if (r < 0) {
            return r;
        }
        if (a.a2 != 0) {
            MemorySegment s = t.scratch().asSlice(0, SIGINFO_SIZE);
            s.fill((byte) 0);
            if (r > 0) {
                int status = out[0];
                int sig = status & 0x7f;
                s.set(JAVA_INT, 0, Signals.SIGCHLD);
                int code;
                int value;
                if (status == 0xffff) {
                    code = CLD_CONTINUED;
                    value = Signals.SIGCONT;
                } else if (sig == 0x7f) {
                    code = CLD_STOPPED;
                    value = (status >> 8) & 0xff;
                } else {
                    code = sig == 0 ? CLD_EXITED : (status & 0x80) != 0 ? CLD_DUMPED : CLD_KILLED;
                    value = sig == 0 ? (status >> 8) & 0xff : sig;
                }
                s.set(JAVA_INT, 8, code);
                s.set(JAVA_INT, 16, (int) r);
                s.set(JAVA_INT, 20, out[1]);
                s.set(JAVA_INT, 24, value);
            }
            t.mm().copyOut(a.a2, s, SIGINFO_SIZE);
        }
        if (usage != null) {
            // The raw syscall's fifth argument: the child's usage, or zeros when none was reported (WNOHANG).
            TimerSyscalls.writeRusage(t, a.a4, usage[0], usage[1], usage[2]);
        }
        return 0;
    }
}
