package dev.jvisor.runsc.container;

/** A container operation failed for a reason the user can act on; the message is one line. */
public class ContainerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContainerException(String message) {
        super(message, null, false, false);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
