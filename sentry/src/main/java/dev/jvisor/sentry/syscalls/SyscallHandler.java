package dev.jvisor.sentry.syscalls;

import dev.jvisor.sentry.kernel.Task;

/** One syscall's implementation. Returns the result, or {@code -errno}; may throw an ErrnoException instead. */
@FunctionalInterface
public interface SyscallHandler {
    long handle(Task t, SyscallArguments a);
}
