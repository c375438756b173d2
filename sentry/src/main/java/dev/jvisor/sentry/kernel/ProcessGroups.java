package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;

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
