package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import java.util.List;

/**
 * The kernel's side of a terminal: the session it controls and that session's foreground process group, and the
 * job-control rules (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID, SIGTTIN and SIGTTOU for background
 * groups, SIGHUP when the session leader exits). Which terminal a process has is {@link ThreadGroup}'s (inherited
 * by fork, dropped by setsid). All of it is guarded by the task-tree lock ({@link PidNamespace}'s monitor).
 * Signals are sent with no lock held.
 */
public final class ControllingTerminal {
    private final Kernel kernel;
    private final Object device;
    // guarded by kernel.pids()
    private int sid;
    private int pgrp;

    /** @param device the terminal device (what /dev/tty opens again) */
    public ControllingTerminal(Kernel kernel, Object device) {
        this.kernel = kernel;
        this.device = device;
    }

    public Object device() {
        return device;
    }

    /** The controlling terminal of process {@code g}, or null. */
    public static ControllingTerminal of(ThreadGroup g) {
        synchronized (g.namespace()) {
            return g.ttyLocked();
        }
    }

    /** The session this terminal controls (0: none). */
    public int session() {
        synchronized (kernel.pids()) {
            return sid;
        }
    }

    /** The foreground process group (0: none). */
    public int foregroundGroup() {
        synchronized (kernel.pids()) {
            return pgrp;
        }
    }

    /**
     * Makes this the controlling terminal of {@code leader}'s session and {@code leader}'s group the foreground
     * one, without Linux's checks: the container's init gets its console this way, as runc's init does with
     * setsid and TIOCSCTTY.
     */
    public void attach(ThreadGroup leader) {
        PidNamespace ns = leader.namespace();
        synchronized (ns) {
            sid = leader.sidLocked();
            pgrp = leader.pgidLocked();
            leader.ttyLocked(this);
        }
    }

    /**
     * TIOCSCTTY by {@code caller}: only a session leader without a controlling terminal may take one, and only a
     * terminal that no session has, unless {@code steal} (arg 1) and {@code admin} (CAP_SYS_ADMIN), which takes
     * it from its session. Already ours: 0. {@code readable}: the fd was opened for reading (else EPERM without
     * CAP_SYS_ADMIN).
     */
    public int acquire(ThreadGroup caller, boolean steal, boolean admin, boolean readable) {
        PidNamespace ns = caller.namespace();
        synchronized (ns) {
            boolean leader = caller.sidLocked() == caller.pid();
            if (leader && sid == caller.sidLocked() && sid != 0) {
                return 0;
            }
            if (!leader || caller.ttyLocked() != null) {
                return (int) Errno.EPERM.ret();
            }
            if (!readable && !admin) {
                return (int) Errno.EPERM.ret();
            }
            if (sid != 0) {
                if (!steal || !admin) {
                    return (int) Errno.EPERM.ret();
                }
                clearSessionLocked(ns);
            }
            sid = caller.sidLocked();
            pgrp = caller.pgidLocked();
            caller.ttyLocked(this);
            return 0;
        }
    }

    /**
     * TIOCNOTTY by {@code caller}: ENOTTY unless this is its controlling terminal. A session leader gives it up
     * for its whole session, and its foreground group gets SIGHUP and SIGCONT; anyone else just loses it.
     */
    public int release(ThreadGroup caller) {
        int fg;
        PidNamespace ns = caller.namespace();
        synchronized (ns) {
            if (caller.ttyLocked() != this) {
                return (int) Errno.ENOTTY.ret();
            }
            if (caller.sidLocked() != caller.pid()) {
                caller.ttyLocked(null);
                return 0;
            }
            fg = pgrp;
            clearSessionLocked(ns);
        }
        signalGroup(fg, Signals.SIGHUP);
        signalGroup(fg, Signals.SIGCONT);
        return 0;
    }

    /**
     * Called when the session leader {@code leader} exits (Linux's disassociate_ctty on exit, for a pty): its
     * terminal's foreground group gets SIGHUP and the session loses the terminal.
     */
    static void sessionLeaderExited(ThreadGroup leader) {
        ControllingTerminal t;
        int fg;
        PidNamespace ns = leader.namespace();
        synchronized (ns) {
            t = leader.ttyLocked();
            if (t == null || leader.sidLocked() != leader.pid()) {
                return;
            }
            fg = t.sid == leader.pid() ? t.pgrp : 0;
            if (t.sid == leader.pid()) {
                t.clearSessionLocked(ns);
            }
            leader.ttyLocked(null);
        }
        t.signalGroup(fg, Signals.SIGHUP);
    }

    /** No process of the session keeps this terminal; it controls no session. Tree lock held. */
    private void clearSessionLocked(PidNamespace ns) {
        for (ThreadGroup g : ns.groupsLocked()) {
            if (g.ttyLocked() == this) {
                g.ttyLocked(null);
            }
        }
        sid = 0;
        pgrp = 0;
    }

    /** TIOCGPGRP by {@code caller}: the foreground group, or ENOTTY when this is not its controlling terminal. */
    public int foregroundGroup(ThreadGroup caller) {
        synchronized (caller.namespace()) {
            if (caller.ttyLocked() != this) {
                return (int) Errno.ENOTTY.ret();
            }
            return pgrp;
        }
    }

    /** TIOCGSID by {@code caller}: the session, or ENOTTY when this is not its controlling terminal. */
    public int session(ThreadGroup caller) {
        synchronized (caller.namespace()) {
            if (caller.ttyLocked() != this || sid == 0) {
                return (int) Errno.ENOTTY.ret();
            }
            return sid;
        }
    }

    /**
     * TIOCSPGRP by {@code t}: after the background check (SIGTTOU), ENOTTY when this is not the caller's
     * controlling terminal of its session, EINVAL for a negative group, ESRCH when no process or group has that
     * ID, EPERM for one of another session.
     */
    public int setForegroundGroup(Task t, int newPgrp) {
        int r = checkChange(t, Signals.SIGTTOU);
        if (r == (int) Errno.EIO.ret()) {
            return (int) Errno.ENOTTY.ret();
        }
        if (r != 0) {
            return r;
        }
        ThreadGroup caller = t.threadGroup();
        PidNamespace ns = caller.namespace();
        synchronized (ns) {
            if (caller.ttyLocked() != this || sid != caller.sidLocked()) {
                return (int) Errno.ENOTTY.ret();
            }
            if (newPgrp < 0) {
                return (int) Errno.EINVAL.ret();
            }
            int groupSid = -1;
            for (ThreadGroup g : ns.groupsLocked()) {
                if (g.pgidLocked() == newPgrp && !g.reaped()) {
                    groupSid = g.sidLocked();
                    break;
                }
            }
            if (groupSid < 0) {
                ThreadGroup p = ns.group(newPgrp);
                if (p == null) {
                    return (int) Errno.ESRCH.ret();
                }
                groupSid = p.sidLocked();
            }
            if (groupSid != caller.sidLocked()) {
                return (int) Errno.EPERM.ret();
            }
            pgrp = newPgrp;
            return 0;
        }
    }

    /**
     * Linux's tty_check_change for task {@code t} about to read ({@code SIGTTIN}) or change the terminal or write
     * with TOSTOP ({@code SIGTTOU}): 0 when it may go on (not its controlling terminal, or it is in the
     * foreground group); for a background group, EIO when the signal is ignored or blocked (SIGTTIN) or the group
     * is orphaned, 0 when SIGTTOU is ignored or blocked, else the signal goes to its whole group and the call
     * returns -ERESTARTSYS (it restarts once the group is continued).
     */
    public int checkChange(Task t, int sig) {
        ThreadGroup caller = t.threadGroup();
        int myPgrp;
        PidNamespace ns = caller.namespace();
        synchronized (ns) {
            if (caller.ttyLocked() != this || pgrp == 0 || caller.pgidLocked() == pgrp) {
                return 0;
            }
            myPgrp = caller.pgidLocked();
            if (!ignoredOrBlocked(t, sig) && orphanedLocked(ns, myPgrp)) {
                return (int) Errno.EIO.ret();
            }
        }
        if (ignoredOrBlocked(t, sig)) {
            return sig == Signals.SIGTTIN ? (int) Errno.EIO.ret() : 0;
        }
        signalGroup(myPgrp, sig);
        return (int) Errno.ERESTARTSYS.ret();
    }

    private static boolean ignoredOrBlocked(Task t, int sig) {
        if ((t.signalMask() & (1L << (sig - 1))) != 0) {
            return true;
        }
        long[] act = new long[4];
        t.signalActions().get(sig, act);
        return act[0] == Signals.SIG_IGN;
    }

    /**
     * Whether process group {@code pgid} is orphaned: no member has a parent in another group of the same
     * session (POSIX; init's parent is outside). Tree lock held.
     */
    private static boolean orphanedLocked(PidNamespace ns, int pgid) {
        for (ThreadGroup g : ns.groupsLocked()) {
            if (g.pgidLocked() != pgid || g.zombie() || g.reaped()) {
                continue;
            }
            ThreadGroup p = g.parent();
            if (p != null && p.pgidLocked() != pgid && p.sidLocked() == g.sidLocked()) {
                return false;
            }
        }
        return true;
    }

    /** Sends {@code sig} from the kernel to the foreground group, if there is one (keyboard signals, SIGWINCH). */
    public void signalForeground(int sig) {
        signalGroup(foregroundGroup(), sig);
    }

    /**
     * Sends {@code sig} from the kernel to the leader of the terminal's session, if it has one: a hang-up (the
     * master closed) sends it SIGHUP and SIGCONT, as Linux's __tty_hangup does (not to the foreground group).
     */
    public void signalSessionLeader(int sig) {
        int s = session();
        if (s <= 0) {
            return;
        }
        for (ThreadGroup g : kernel.processGroup(s)) { // a session leader leads its group too: pgid == sid
            if (g.pid() == s) {
                SignalDelivery.sendToProcess(kernel, g, new SignalInfo(sig, SigInfo.SI_KERNEL));
            }
        }
    }

    /** Sends {@code sig} from the kernel (SI_KERNEL) to every process of group {@code pg}; none for 0. */
    private void signalGroup(int pg, int sig) {
        if (pg <= 0) {
            return;
        }
        List<ThreadGroup> members = kernel.processGroup(pg);
        for (ThreadGroup g : members) {
            SignalDelivery.sendToProcess(kernel, g, new SignalInfo(sig, SigInfo.SI_KERNEL));
        }
    }
}
