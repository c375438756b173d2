package dev.jvisor.gofer.client;

/** The connection to the gofer failed (it died, or sent a malformed message). */
public final class GoferException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GoferException(String message) {
        super(message);
    }

    public GoferException(String message, Throwable cause) {
        super(message, cause);
    }
}
