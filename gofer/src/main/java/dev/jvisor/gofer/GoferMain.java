package dev.jvisor.gofer;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Signals;

/**
 * Entry point of the gofer process: {@code --io-fd N --root PATH [--readonly] [--debug-log FILE] [--debug]}.
 * {@code jrunsc gofer} calls the same. Its stdio is /dev/null (the launcher sees to it); every line goes to the
 * debug log, and nothing is ever printed to stdout or stderr.
 *
 * <p>Exit status: 0 after the peer closed the socket, 1 after a start-up failure or a malformed message, 2 for
 * bad arguments.
 */
public final class GoferMain {
    private GoferMain() {}

    private static final int PR_SET_PDEATHSIG = 1;
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses {@code args} and serves; returns the exit status. */
    public static int run(String[] args) {
        int ioFd = -1;
        String root = null;
        boolean readonly = false;
        String logPath = null;
        boolean debug = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--io-fd" -> ioFd = Integer.parseInt(args[++i]);
                    case "--root" -> root = args[++i];
                    case "--readonly" -> readonly = true;
                    case "--debug-log" -> logPath = args[++i];
                    case "--debug" -> debug = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            Log.warn("gofer: bad arguments: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (logPath != null) {
            try {
                Log.open(logPath, "gofer", debug);
            } catch (java.io.IOException e) {
                return EXIT_USAGE; // nowhere to say it: stdio is not ours
            }
        }
        if (ioFd < 0 || root == null) {
            Log.warn("gofer: --io-fd and --root are required");
            return EXIT_USAGE;
        }
        // Die with the parent; if it is already gone (we were reparented), do not serve at all. The socket's end
        // of stream covers a parent that dies under a subreaper before the prctl.
        Host.prctl(PR_SET_PDEATHSIG, Signals.SIGKILL, 0, 0, 0);
        if (Host.getppid() == 1) {
            Log.warn("gofer: parent already exited");
            return GoferServer.EXIT_ERROR;
        }
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            Log.warn("gofer: uncaught exception in " + t.getName(), e);
            Runtime.getRuntime().halt(GoferServer.EXIT_ERROR);
        });
        try {
            return GoferServer.serve(ioFd, root, readonly);
        } catch (Throwable t) {
            Log.warn("gofer: failed", t);
            return GoferServer.EXIT_ERROR;
        }
    }
}
