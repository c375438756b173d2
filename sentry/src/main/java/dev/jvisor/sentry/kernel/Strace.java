package dev.jvisor.sentry.kernel;

import dev.jvisor.sentry.syscalls.SyscallArguments;

/** Receives syscall entry and exit events for --strace. Implemented in package strace. */
public interface Strace {
    void enter(Task t, SyscallArguments a);

    void exit(Task t, SyscallArguments a, long ret, long elapsedNanos);
}
