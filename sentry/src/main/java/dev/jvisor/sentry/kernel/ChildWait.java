package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Signals;

/**
 * The core of wait4(2) and waitid(2): find a child of the caller's process that matches, report its status and
 * (unless WNOWAIT) reap it or consume its report; block until one changes state unless WNOHANG. Stopped
 * (WSTOPPED, status 0x7f | sig << 8) and continued (WCONTINUED, status 0xffff) children are reported once.
 */
public final class ChildWait {
    private ChildWait() {}

    public static final int WNOHANG = 1, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000,
            WNOTHREAD = 0x20000000, WALL = 0x40000000, WCLONE = 0x80000000;

    /** Which children a wait selects. */
    public enum Select { PID, PGID, ANY }

    /**
     * Waits as the options say. Returns the child's PID with {@code out[0]} = its wait(2) status and
     * {@code out[1]} = its real UID; 0 when WNOHANG finds none ready; -ECHILD when no child matches;
     * -EINTR when the caller is interrupted.
     */
    public static long await(Task t, Select sel, int id, int options, int[] out) {
        return await(t, sel, id, options, out, null);
    }

    /**
     * As {@link #await(Task, Select, int, int, int[])}, and when {@code usage} is not null, fills it with the
     * child's resource usage as wait4 reports it: {user ns, system ns, maxrss bytes} of the child and its reaped
     * children. A reaped child's usage is added to the caller's children's (RUSAGE_CHILDREN).
     */
    public static long await(Task t, Select sel, int id, int options, int[] out, long[] usage) {
        ThreadGroup me = t.threadGroup();
        PidNamespace ns = me.namespace();
        WaitQueue q = me.childEvents();
        q.register(t.waiter(), WaitQueue.ALL);
        try {
            for (;;) {
                ThreadGroup stopped = null;
                synchronized (ns) {
                    boolean any = false;
                    for (ThreadGroup c : me.children()) {
                        if (!matches(me, c, sel, id, options)) {
                            continue;
                        }
                        any = true;
                        if (c.zombie() && (options & WEXITED) != 0) {
                            out[0] = c.exitStatus();
                            out[1] = c.exitUid();
                            int pid = c.pid();
                            long[] total = c.cpu().total(); // final: no task, no stub, so no host call here
                            if (usage != null) {
                                System.arraycopy(total, 0, usage, 0, 3);
                            }
                            if ((options & WNOWAIT) == 0) {
                                TaskExit.reap(t.kernel(), ns, c);
                                me.cpu().addChild(total);
                            }
                            return pid;
                        }
                        int st = c.stateReport();
                        if (!c.zombie() && st != 0 && (options & (st == 0xffff ? WCONTINUED : WSTOPPED)) != 0) {
                            out[0] = st;
                            out[1] = c.stateUid();
                            if ((options & WNOWAIT) == 0) {
                                c.stateReport(0, 0);
                            }
                            stopped = c;
                            break;
                        }
                    }
                    if (!any) {
                        return Errno.ECHILD.ret();
                    }
                }
                if (stopped != null) {
                    if (usage != null) {
                        // A live child: its clocks are read outside the tree lock.
                        System.arraycopy(stopped.cpu().total(), 0, usage, 0, 3);
                    }
                    return stopped.pid();
                }
                if ((options & WNOHANG) != 0) {
                    return 0;
                }
                int r = t.waiter().await(Waiter.FOREVER);
                if (r < 0) {
                    return r;
                }
            }
        } finally {
            q.unregister(t.waiter());
        }
    }

    /** Tree lock held. A "clone" child is one whose exit signal is not SIGCHLD: only __WCLONE or __WALL see it. */
    private static boolean matches(ThreadGroup me, ThreadGroup c, Select sel, int id, int options) {
        switch (sel) {
            case PID -> {
                if (c.pid() != id) {
                    return false;
                }
            }
            case PGID -> {
                if (c.pgid() != id) {
                    return false;
                }
            }
            case ANY -> { }
        }
        if ((options & WALL) != 0) {
            return true;
        }
        boolean cloneChild = c.exitSignal() != Signals.SIGCHLD;
        return cloneChild == ((options & WCLONE) != 0);
    }
}
