package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a sandbox runs in the foreground, SIGINT and SIGTERM sent to jrunsc go to the container instead of
 * ending the JVM, as with {@code runsc do} and {@code runc run}. Closing restores the previous handlers.
 */
final class ForegroundSignals implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("INT", "TERM");

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private ForegroundSignals() {}

    /** Routes SIGINT and SIGTERM to {@code forwarder}; with {@link SignalForwarder#NONE}, changes nothing. */
    static ForegroundSignals install(SignalForwarder forwarder) {
        ForegroundSignals fs = new ForegroundSignals();
        if (forwarder == SignalForwarder.NONE) {
            return fs;
        }
        for (String name : FORWARDED) {
            Signal sig = new Signal(name);
            fs.previous.add(Signal.handle(sig, s -> {
                Log.debug("forwarding SIG" + s.getName() + " to the sandbox");
                forwarder.forward(s.getNumber());
            }));
            fs.signals.add(sig);
        }
        return fs;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        signals.clear();
        previous.clear();
    }
}
