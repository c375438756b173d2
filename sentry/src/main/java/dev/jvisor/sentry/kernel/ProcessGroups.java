package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Moving processes between process groups and sessions: setpgid(2) and setsid(2), under the task-tree lock, with
 * Linux's checks. A new session has no controlling terminal ({@link ControllingTerminal}).
 */
public final class ProcessGroups {
    private ProcessGroups() {}

    /**
     * setpgid(2) by {@code caller}: puts process {@code pid} (0: the caller) in group {@code pgid} (0: its own
     * PID). Returns 0 or -errno: EINVAL for a negative pgid or a thread that is not a process leader, ESRCH when
     * the target is neither the caller nor its child, EPERM for a child in another session, a session leader or a
     * group of another session, EACCES for a child that has exec'd.
     */
    public static int setpgid(ThreadGroup caller, int pid, int pgid) {
        int target = pid == 0 ? caller.pid() : pid;
        if (pgid == 0) {
            pgid = target; // before the sign check, as Linux does: setpgid(-5, 0) is EINVAL
        }
        if (pgid < 0) {
            return (int) Errno.EINVAL.ret();
        }
        PidNamespace ns = caller.namespace();
        synchronized (ns) {
            if (target < 0) {
                return (int) Errno.ESRCH.ret();
            }
            ThreadGroup p = ns.group(target);
            if (p == null) {
                return (int) (ns.hasTask(target) ? Errno.EINVAL.ret() : Errno.ESRCH.ret());
            }
            if (p.parent() == caller) {
                if (p.sidLocked() != caller.sidLocked()) {
                    return (int) Errno.EPERM.ret();
                }
                if (p.execed()) {
                    return (int) Errno.EACCES.ret();
                }
            } else if (p != caller) {
                return (int) Errno.ESRCH.ret();
            }
            if (p.sidLocked() == p.pid()) {
                return (int) Errno.EPERM.ret(); // a session leader stays in its own group
            }
            if (pgid != p.pid() && !groupInSession(ns, pgid, caller.sidLocked())) {
                return (int) Errno.EPERM.ret();
            }
            p.pgidLocked(pgid);
            return 0;
        }
    }

    /**
     * setsid(2) by {@code caller}: a new session and process group, both named by its PID. Returns the new
     * session ID, or -EPERM when some process's group already has that ID (the caller leads a group).
     */
    public static int setsid(ThreadGroup caller) {
        PidNamespace ns = caller.namespace();
        synchronized (ns) {
            int pid = caller.pid();
            for (ThreadGroup g : ns.groupsLocked()) {
                if (g.pgidLocked() == pid) {
                    return (int) Errno.EPERM.ret();
                }
            }
            caller.pgidLocked(pid);
            caller.sidLocked(pid);
            caller.ttyLocked(null); // a new session starts without a controlling terminal
            return pid;
        }
    }

    /**
     * Whether the process group of {@code tg} is orphaned (POSIX): no member has a parent in another group of
     * the same session. The kernel discards SIGTSTP, SIGTTIN and SIGTTOU of default action sent to a process in
     * such a group. Takes the tree lock.
     */
    public static boolean isOrphaned(ThreadGroup tg) {
        PidNamespace ns = tg.namespace();
        synchronized (ns) {
            return orphaned(ns, tg.pgidLocked(), null);
        }
    }

    /**
     * Linux's will_become_orphaned_pgrp: whether no member of group {@code pgid} but {@code ignored} (and
     * zombies) has a parent in another group of its session. Init's parent lies outside the sandbox (a shell,
     * a runtime); it counts as a parent in another group of init's session, so a group init is in is never
     * orphaned, and a stop signal stops init as it would a command run from a shell. Tree lock held.
     */
    static boolean orphaned(PidNamespace ns, int pgid, ThreadGroup ignored) {
        for (ThreadGroup g : ns.groupsLocked()) {
            if (g.pgidLocked() != pgid || g == ignored || g.zombie() || g.reaped()) {
                continue;
            }
            ThreadGroup p = g.parent();
            if (p == null || p.pgidLocked() != pgid && p.sidLocked() == g.sidLocked()) {
                return false;
            }
        }
        return true;
    }

    /** Whether a member of group {@code pgid} is in a completed job-control stop. Tree lock held. */
    private static boolean hasStoppedJobs(PidNamespace ns, int pgid) {
        for (ThreadGroup g : ns.groupsLocked()) {
            if (g.pgidLocked() == pgid && !g.zombie() && g.signals().stopComplete()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Process {@code dead} has just become a zombie, its children ({@code children}, or null) handed to their
     * new parent: the groups this orphaned that have a stopped member (Linux's kill_orphaned_pgrp, for the
     * process's own group and each child's). Returns their live members, to be sent SIGHUP then SIGCONT once
     * the tree lock is released; empty when none. Tree lock held.
     */
    static List<ThreadGroup> orphanedByExit(PidNamespace ns, ThreadGroup dead, List<ThreadGroup> children) {
        Set<Integer> pgids = new LinkedHashSet<>();
        if (children != null) {
            for (ThreadGroup c : children) {
                int pg = c.pgidLocked();
                if (!c.zombie() && pg != dead.pgidLocked() && c.sidLocked() == dead.sidLocked()
                        && orphaned(ns, pg, null) && hasStoppedJobs(ns, pg)) {
                    pgids.add(pg);
                }
            }
        }
        ThreadGroup parent = dead.parent();
        int own = dead.pgidLocked();
        if (parent != null && parent.pgidLocked() != own && parent.sidLocked() == dead.sidLocked()
                && orphaned(ns, own, dead) && hasStoppedJobs(ns, own)) {
            pgids.add(own);
        }
        List<ThreadGroup> members = new ArrayList<>();
        for (ThreadGroup g : ns.groupsLocked()) {
            if (pgids.contains(g.pgidLocked()) && !g.zombie() && !g.reaped()) {
                members.add(g);
            }
        }
        return members;
    }

    /** SIGHUP then SIGCONT, from the kernel, to each process of an orphaned group. No lock held. */
    static void hangUp(Kernel k, List<ThreadGroup> members) {
        for (int sig : new int[] {Signals.SIGHUP, Signals.SIGCONT}) {
            for (ThreadGroup g : members) {
                SignalDelivery.sendToProcess(k, g, SignalInfo.fromProcess(sig, SigInfo.SI_KERNEL, 0, 0));
            }
        }
    }

    /** Whether some process (live or zombie) of session {@code sid} is in group {@code pgid}. Tree lock held. */
    private static boolean groupInSession(PidNamespace ns, int pgid, int sid) {
        for (ThreadGroup g : ns.groupsLocked()) {
            if (g.pgidLocked() == pgid && g.sidLocked() == sid) {
                return true;
            }
        }
        return false;
    }
}
