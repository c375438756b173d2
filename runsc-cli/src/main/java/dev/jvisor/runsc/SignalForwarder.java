package dev.jvisor.runsc;

/**
 * Delivers to the running sandbox's init process a signal that the foreground {@code jrunsc do} or
 * {@code jrunsc run} received (SIGINT from the terminal, SIGTERM from a supervisor). The sentry supplies it
 * through {@link Main#Main(SandboxLauncher, SignalForwarder)}; it is called on a JVM signal-handler thread while
 * {@link SandboxLauncher#run} is blocked, so it must be thread-safe.
 */
@FunctionalInterface
public interface SignalForwarder {
    /** No forwarding: the JVM keeps its default handling (SIGINT and SIGTERM end it, and the stubs with it). */
    SignalForwarder NONE = signo -> { };

    /** @param signo a Linux signal number (2 for SIGINT, 15 for SIGTERM) */
    void forward(int signo);
}
