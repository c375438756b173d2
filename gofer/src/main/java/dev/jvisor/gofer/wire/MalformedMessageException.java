package dev.jvisor.gofer.wire;

/** A frame that breaks the protocol: the receiving side closes the connection. */
public final class MalformedMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message, null, false, false);
    }
}
