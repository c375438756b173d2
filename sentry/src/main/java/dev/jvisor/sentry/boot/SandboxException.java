package dev.jvisor.sentry.boot;

/** The sandbox could not start: a one-line message for the user and the exit status a shell would give. */
public final class SandboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    public SandboxException(String message, int exitStatus) {
        super(message);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
