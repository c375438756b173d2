package dev.jvisor.runsc;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Log;
import dev.jvisor.sentry.fs.tty.Terminal;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The host signals of a container's console ({@code process.terminal}). The sandbox process, a session leader,
 * takes the pty slave (its stdin) as its controlling terminal, so the host tells it what happens on the other
 * side: SIGWINCH when containerd resizes the master (the sentry re-reads the size and passes SIGWINCH to the
 * sandbox's foreground group) and SIGHUP when the master is closed (the sandbox's terminal hangs up). The host
 * side is raw, so no keyboard signal ever comes from the host.
 */
final class ConsoleSignals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private ConsoleSignals() {}

    /** Does nothing for a sandbox without a terminal. */
    static ConsoleSignals install(Terminal terminal) {
        ConsoleSignals cs = new ConsoleSignals();
        if (terminal == null) {
            return cs;
        }
        int r = Host.ioctl(0, Ioctls.TIOCSCTTY, 0);
        if (r < 0) {
            Log.warn("console: TIOCSCTTY on the pty slave: " + Errno.name(-r) + "; resizes will not be seen");
        }
        cs.handle("WINCH", s -> terminal.hostResized());
        cs.handle("HUP", s -> terminal.hangup());
        terminal.hostResized(); // a resize before the handler was in place
        return cs;
    }

    private void handle(String name, SignalHandler h) {
        Signal sig = new Signal(name);
        previous.add(Signal.handle(sig, h));
        signals.add(sig);
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
