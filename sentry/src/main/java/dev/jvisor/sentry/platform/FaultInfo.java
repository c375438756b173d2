package dev.jvisor.sentry.platform;

/** A synchronous fault as the platform saw it: a mutable holder reused by its context. */
public final class FaultInfo {
    /** Signal number (SIGSEGV, SIGBUS, ...). */
    public int signo;
    /** si_code (SEGV_MAPERR, SEGV_ACCERR, ...). */
    public int code;
    /** Faulting address (si_addr). */
    public long addr;
    /** For SIGSEGV on x86: the page-fault error code when known (bit 1 = write), else -1. */
    public long errorCode = -1;

    public void set(int signo, int code, long addr) {
        this.signo = signo;
        this.code = code;
        this.addr = addr;
        this.errorCode = -1;
    }
}
