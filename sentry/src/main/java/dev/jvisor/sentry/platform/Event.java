package dev.jvisor.sentry.platform;

/**
 * Why {@link Context#switchToUser} returned. An enum rather than records, so the hot path allocates nothing;
 * fault details live in the context's reused {@link FaultInfo}.
 */
public enum Event {
    /** The workload executed {@code syscall}; registers hold the request. */
    SYSCALL,
    /** The workload executed {@code int 0x80}: a 32-bit syscall, which the sentry answers with ENOSYS. */
    SYSCALL_I386,
    /** A synchronous fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP); see {@link Context#fault()}. */
    FAULT,
    /** {@link Context#interrupt()} was called, or the host delivered a signal the sentry must look at. */
    INTERRUPT,
    /** The host process running the workload died (for example a SIGKILL from outside). */
    DIED
}
