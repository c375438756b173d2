package dev.jvisor.abi;

/**
 * A Linux errno as an exception. One instance per {@link Errno}, preallocated, with no stack trace, so
 * throwing it on a hot path costs no allocation.
 */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Errno errno;

    ErrnoException(Errno errno) {
        super(errno.name(), null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    /** The value a syscall handler returns: {@code -errno}. */
    public long ret() {
        return -errno.number();
    }
}
