package dev.jvisor.gofer.client;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.MsgHdr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts a gofer process connected to this one by a socketpair and returns it with a connected client.
 *
 * <p>The gofer sets PR_SET_PDEATHSIG, which fires when the <em>thread</em> that spawned it exits, not the
 * process. So every gofer is spawned from one daemon thread that lives as long as the JVM, whichever thread
 * calls {@link #start}.
 */
public final class GoferLauncher {
    private GoferLauncher() {}

    /** The fd number the gofer finds its socket at. */
    public static final int GOFER_FD = 3;

    private static final class Spawner {
        static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gofer-spawner");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts {@code goferCommand + [--io-fd 3 --root root (--readonly)]} and attaches to its root. Throws
     * {@link GoferException} when the process cannot start or the gofer does not answer the attach (a bad root
     * makes it exit, which the client sees as a closed connection).
     */
    public static GoferProcess start(List<String> goferCommand, String root, boolean readonly) {
        GoferProcess g = spawn(goferCommand, root, readonly);
        g.client();
        return g;
    }

    /**
     * Starts the gofer like {@link #start} but returns without waiting for it: the attach happens at the first
     * {@link GoferProcess#client()}, so the caller's own start-up overlaps the gofer JVM's.
     */
    public static GoferProcess spawn(List<String> goferCommand, String root, boolean readonly) {
        return spawn(goferCommand, root, readonly, List.of());
    }

    /** A host directory or file the gofer also serves: mount i+1 of {@link GoferClient#attach} for binds[i]. */
    public record Bind(String source, boolean readonly) {}

    /** {@link #spawn} with bind sources; one gofer serves them all on the one socket (see {@link Bind}). */
    public static GoferProcess spawn(List<String> goferCommand, String root, boolean readonly, List<Bind> binds) {
        List<String> argv = new ArrayList<>(goferCommand);
        argv.add("--io-fd");
        argv.add(Integer.toString(GOFER_FD));
        argv.add("--root");
        argv.add(root);
        if (readonly) {
            argv.add("--readonly");
        }
        for (Bind b : binds) {
            argv.add(b.readonly() ? "--bind-ro" : "--bind");
            argv.add(b.source());
        }
        int ours;
        int theirs;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            int r = Host.socketpair(MsgHdr.AF_UNIX, MsgHdr.SOCK_STREAM | MsgHdr.SOCK_CLOEXEC, 0, sv);
            if (r < 0) {
                throw new GoferException("socketpair: " + Errno.name(-r));
            }
            ours = sv.getAtIndex(JAVA_INT, 0);
            theirs = sv.getAtIndex(JAVA_INT, 1);
        }
        int pid;
        try {
            Future<Integer> f = Spawner.THREAD.submit(() -> PosixSpawn.spawn(argv, theirs, GOFER_FD));
            pid = f.get();
        } catch (ExecutionException e) {
            Host.close(ours);
            throw e.getCause() instanceof RuntimeException re ? re : new GoferException("spawn", e.getCause());
        } catch (InterruptedException e) {
            Host.close(ours);
            Thread.currentThread().interrupt();
            throw new GoferException("interrupted while starting the gofer", e);
        } finally {
            Host.close(theirs);
        }
        return new GoferProcess(pid, ours);
    }

    /**
     * The command that runs the gofer in a new JVM like this one: this JVM's java binary and class path, with
     * flags for a fast start (C1 only, SerialGC, no perf data) and native access for FFM.
     */
    public static List<String> defaultCommand() {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new GoferException("cannot find this JVM's java binary"));
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                "dev.jvisor.gofer.GoferMain");
    }
}
