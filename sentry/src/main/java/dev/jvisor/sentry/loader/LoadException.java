package dev.jvisor.sentry.loader;

import dev.jvisor.abi.Errno;

/** An executable that cannot be loaded: the errno execve(2) returns, and a message for a person. */
public final class LoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Errno errno;

    public LoadException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
