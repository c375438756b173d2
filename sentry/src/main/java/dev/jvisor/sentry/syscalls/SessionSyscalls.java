package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.ProcessGroups;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;

/**
 * Process groups and sessions. A new session has no controlling terminal; the terminal side (TIOCSCTTY,
 * TIOCSPGRP...) is {@code fs.tty}'s, over {@code kernel.ControllingTerminal}.
 */
final class SessionSyscalls {
    private SessionSyscalls() {}

    /** Implements getpgrp(2). */
    static long getpgrp(Task t, SyscallArguments a) {
        return t.threadGroup().pgid();
    }

    /** Implements getpgid(2). */
    static long getpgid(Task t, SyscallArguments a) {
        ThreadGroup g = target(t, a.i(0));
        return g == null ? Errno.ESRCH.ret() : g.pgid();
    }

    /** Implements getsid(2). */
    static long getsid(Task t, SyscallArguments a) {
        ThreadGroup g = target(t, a.i(0));
        return g == null ? Errno.ESRCH.ret() : g.sid();
    }

    /** Implements setpgid(2). */
    static long setpgid(Task t, SyscallArguments a) {
        return ProcessGroups.setpgid(t.threadGroup(), a.i(0), a.i(1));
    }

    /** Implements setsid(2). */
    static long setsid(Task t, SyscallArguments a) {
        return ProcessGroups.setsid(t.threadGroup());
    }

    /** The process {@code pid} names (0: the caller's), or null. */
    private static ThreadGroup target(Task t, int pid) {
        if (pid == 0) {
            return t.threadGroup();
        }
        if (pid < 0) {
            return null;
        }
        return t.kernel().pids().group(pid);
    }
}
