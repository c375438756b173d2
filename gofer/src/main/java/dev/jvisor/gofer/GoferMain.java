package dev.jvisor.gofer;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.MsgHdr;
import dev.jvisor.abi.Signals;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Entry point of the gofer process: {@code --io-fd N --root PATH [--readonly] [--bind PATH | --bind-ro PATH]...
 * [--debug-log FILE] [--debug]}. Each {@code --bind}/{@code --bind-ro} adds a mount (1, 2... in order) that
 * Attach can name; the root is mount 0.
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

    /** The pid SO_PEERCRED gives for {@code fd}: for a socketpair, the process that created it; -1 if unknown. */
    private static int socketCreator(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cred = a.allocate(12, 4); // struct ucred: pid, uid, gid
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 12);
            int r = Host.getsockopt(fd, MsgHdr.SOL_SOCKET, MsgHdr.SO_PEERCRED, cred, len);
            return r < 0 ? -1 : cred.get(JAVA_INT, 0);
        }
    }

    /** Parses {@code args} and serves; returns the exit status. */
    public static int run(String[] args) {
        int ioFd = -1;
        String root = null;
        boolean readonly = false;
        String logPath = null;
        boolean debug = false;
        java.util.List<GoferServer.Export> binds = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--io-fd" -> ioFd = Integer.parseInt(args[++i]);
                    case "--root" -> root = args[++i];
                    case "--readonly" -> readonly = true;
                    case "--bind" -> binds.add(new GoferServer.Export(args[++i], false));
                    case "--bind-ro" -> binds.add(new GoferServer.Export(args[++i], true));
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
        // Die with the parent. If it died before the prctl we were reparented: getppid() no longer names the
        // process that created our socketpair (SO_PEERCRED), and that process is gone. (Comparing getppid() with 1
        // would misfire when the parent is itself PID 1 of a container, and miss subreapers.) The socket's end of
        // stream covers whatever slips through.
        Host.prctl(PR_SET_PDEATHSIG, Signals.SIGKILL, 0, 0, 0);
        int ppid = Host.getppid();
        int creator = socketCreator(ioFd);
        if (creator > 0 && creator != ppid && Host.kill(creator, 0) == -Errno.ESRCH.number()) {
            Log.warn("gofer: parent " + creator + " already exited (reparented to " + ppid + ")");
            return GoferServer.EXIT_ERROR;
        }
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            Log.warn("gofer: uncaught exception in " + t.getName(), e);
            Runtime.getRuntime().halt(GoferServer.EXIT_ERROR);
        });
        try {
            java.util.List<GoferServer.Export> exports = new java.util.ArrayList<>();
            exports.add(new GoferServer.Export(root, readonly));
            exports.addAll(binds);
            return GoferServer.serve(ioFd, exports);
        } catch (Throwable t) {
            Log.warn("gofer: failed", t);
            return GoferServer.EXIT_ERROR;
        }
    }
}
