package dev.jvisor.runsc.container;

/** A lifecycle command that the container's status forbids: starting a running container, for one. */
public final class IllegalTransitionException extends ContainerException {
    private static final long serialVersionUID = 1L;

    private final Status from;
    private final Status to;

    public IllegalTransitionException(String id, Status from, Status to) {
        super(message(id, from, to));
        this.from = from;
        this.to = to;
    }

    private static String message(String id, Status from, Status to) {
        return switch (to) {
            case RUNNING -> from == Status.PAUSED ? "container " + id + " is paused"
                    : "cannot start container " + id + ": it is " + from.ociName() + ", not created";
            case PAUSED -> "cannot pause container " + id + ": it is " + from.ociName() + ", not running";
            case STOPPED -> "container " + id + " is already stopped";
            case CREATED -> "container " + id + " cannot go back to created from " + from.ociName();
        };
    }

    public Status from() {
        return from;
    }

    public Status to() {
        return to;
    }
}
