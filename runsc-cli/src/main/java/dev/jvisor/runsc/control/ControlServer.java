package dev.jvisor.runsc.control;

import dev.jvisor.abi.Log;
import dev.jvisor.sentry.boot.SandboxException;
import dev.jvisor.sentry.boot.SandboxStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The sentry's end of {@code <root>/<id>/control.sock}: accepts connections on a thread of its own and answers
 * each connection's one request on a thread of its own, so a {@code wait} that blocks until the init exits holds
 * up nobody. Requests go to a {@link Handler}, the sandbox. The socket is a raw fd ({@link UnixSocket}), not a
 * Java channel: an {@code exec} request brings the new process's stdio by SCM_RIGHTS.
 *
 * <p>An {@code exec} connection stays open after the answer ({@code {"ok":true,"pid":N}\n}): the client hands
 * it to the exec helper, which sends the numbers of the signals it gets (4 bytes each, little-endian) and reads
 * the process's wait(2) status (4 bytes) when it ends. When the helper's end closes first (it was killed), the
 * process gets SIGKILL.
 */
public final class ControlServer implements AutoCloseable {
    /** What the control socket can ask of the sandbox. */
    public interface Handler {
        /** Lets the created init run. */
        void start();

        /** Sends {@code signal} to the init (to every process with {@code all}). */
        void kill(int signal, boolean all);

        /** Freezes every task of the sandbox. */
        void pause();

        /** Thaws the sandbox's tasks. */
        void resume();

        /** The sandbox's resource usage now. */
        SandboxStats stats();

        /** Changes the limits the sentry enforces; a field left null stays as it is. */
        void update(ControlRequest.Limits limits);

        /**
         * Starts {@code process} in the running container with {@code stdio} (host fds, -1 for none) as its fds
         * 0, 1 and 2; it owns them, even when this fails.
         *
         * @throws RequestFailedException why it cannot start, with a shell's exit status (127: not found)
         */
        default Execed exec(ExecProcess process, int[] stdio) {
            for (int fd : stdio) {
                if (fd >= 0) {
                    dev.jvisor.abi.Host.close(fd);
                }
            }
            throw new RequestFailedException("exec is not supported by this sandbox", 1);
        }

        /** The container's processes, by PID. */
        default java.util.List<ProcessEntry> processes() {
            throw new RequestFailedException("ps is not supported by this sandbox", 1);
        }
    }

    /** A process started by {@link Handler#exec}. */
    public interface Execed {
        int pid();

        /** Sends it {@code signal} (1..64). */
        void signal(int signal);

        /** Waits for it to end (and reaps it); returns its wait(2) status. */
        int awaitExit() throws InterruptedException;
    }

    /** A request that failed for a reason the client reports, with the exit status it should give. */
    public static final class RequestFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final int exitStatus;

        public RequestFailedException(String message, int exitStatus) {
            super(message, null, false, false);
            this.exitStatus = exitStatus;
        }

        public int exitStatus() {
            return exitStatus;
        }
    }

    private final Path path;
    private final UnixSocket server;
    private final Handler handler;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Set<Thread> active = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, UnixSocket server, Handler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().daemon().name("control").unstarted(this::acceptLoop);
    }

    /** Listens on {@code path} (replacing a stale socket file) and starts answering. */
    public static ControlServer listen(Path path, Handler handler) throws IOException {
        Files.deleteIfExists(path);
        ControlServer s = new ControlServer(path, UnixSocket.listen(path), handler);
        s.acceptor.start();
        return s;
    }

    /**
     * Records the init's exit status: pending and later waits answer with it. Returns once every connection in
     * flight has been answered (or a second has passed), so that the sentry can exit.
     */
    public void exited(int status) {
        exit.complete(status);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Thread t : active) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(java.time.Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            UnixSocket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    Log.warn("control socket: accept failed: " + e);
                }
                return;
            }
            if (c == null) {
                return;
            }
            // Platform threads: requests block in host calls (reads), which would pin a virtual thread's carrier.
            Thread t = Thread.ofPlatform().daemon().name("control-request").unstarted(() -> serve(c));
            active.add(t);
            t.start();
        }
    }

    private void serve(UnixSocket c) {
        List<Integer> fds = new ArrayList<>();
        boolean handedOver = false;
        try {
            ControlResponse r;
            try {
                String line = c.readLine(fds, 65536);
                ControlRequest req = ControlClient.JSON.readValue(line == null ? "" : line, ControlRequest.class);
                if (ControlRequest.EXEC.equals(req.type())) {
                    handedOver = exec(c, req, fds);
                    return;
                }
                r = answer(req);
            } catch (IOException e) {
                r = ControlResponse.failed("bad control request: " + e.getMessage());
            } catch (RequestFailedException e) {
                r = ControlResponse.failed(e.getMessage(), e.exitStatus());
            } catch (SandboxException e) {
                r = ControlResponse.failed(e.getMessage()); // refused by the sandbox, with a reason
            } catch (RuntimeException e) {
                Log.warn("control request failed", e);
                r = ControlResponse.failed("control request failed: " + e);
            }
            c.write(ControlClient.JSON.writeValueAsBytes(r));
        } catch (IOException e) {
            Log.debug("control socket: client went away: " + e);
        } finally {
            UnixSocket.closeAll(fds);
            if (!handedOver) {
                c.close();
            }
            active.remove(Thread.currentThread());
        }
    }

    /**
     * Starts the process, answers with its PID, then serves the connection until it ends: returns true when
     * another thread owns {@code c} from now on.
     */
    private boolean exec(UnixSocket c, ControlRequest req, List<Integer> received) throws IOException {
        int[] stdio = {-1, -1, -1};
        int[] targets = req.stdio() == null ? new int[0] : req.stdio();
        if (targets.length != received.size()) {
            throw new IOException("exec: " + targets.length + " stdio fds announced, " + received.size() + " came");
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] < 0 || targets[i] > 2 || stdio[targets[i]] >= 0) {
                throw new IOException("exec: bad stdio fd " + targets[i]);
            }
            stdio[targets[i]] = received.get(i);
        }
        received.clear(); // the handler owns them now
        if (req.process() == null || req.process().args() == null || req.process().args().isEmpty()) {
            closeStdio(stdio);
            throw new RequestFailedException("exec: no process to run", 1);
        }
        Execed p = handler.exec(req.process(), stdio);
        Log.debug("exec: pid " + p.pid() + ": " + req.process().args());
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        // The helper's signals (and its death) arrive on a thread of their own; this one waits for the exit.
        Thread.ofPlatform().daemon().name("exec-signals-" + p.pid()).start(() -> {
            try {
                Integer sig;
                while ((sig = c.readInt()) != null) {
                    if (sig >= 1 && sig <= 64) {
                        p.signal(sig);
                    }
                }
            } catch (IOException e) {
                Log.debug("exec: pid " + p.pid() + ": " + e.getMessage());
            }
            if (!ended.get()) {
                Log.info("exec: the helper of pid " + p.pid() + " is gone; killing it");
                p.signal(dev.jvisor.abi.Signals.SIGKILL);
            }
            c.close();
        });
        try {
            c.write(ControlClient.JSON.writeValueAsBytes(ControlResponse.started(p.pid())));
            c.write(new byte[] {'\n'});
            int status = p.awaitExit();
            ended.set(true);
            Log.debug("exec: pid " + p.pid() + " exited with status 0x" + Integer.toHexString(status));
            c.writeInt(status);
        } catch (IOException e) {
            Log.debug("exec: pid " + p.pid() + ": client gone: " + e.getMessage()); // the reader kills it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            c.shutdown(); // wakes the reader, which closes c
        }
        return true;
    }

    private static void closeStdio(int[] stdio) {
        for (int fd : stdio) {
            if (fd >= 0) {
                dev.jvisor.abi.Host.close(fd);
            }
        }
    }

    private ControlResponse answer(ControlRequest req) {
        Log.debug("control: " + req);
        if (req.type() == null) {
            return ControlResponse.failed("control request without a type");
        }
        switch (req.type()) {
            case ControlRequest.START -> {
                handler.start();
                return ControlResponse.OK;
            }
            case ControlRequest.KILL -> {
                if (req.signal() < 1 || req.signal() > 64) {
                    return ControlResponse.failed("invalid signal " + req.signal());
                }
                handler.kill(req.signal(), req.all());
                return ControlResponse.OK;
            }
            case ControlRequest.PS -> {
                return ControlResponse.processes(handler.processes());
            }
            case ControlRequest.WAIT -> {
                try {
                    return ControlResponse.exited(exit.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ControlResponse.failed("interrupted");
                } catch (ExecutionException e) {
                    return ControlResponse.failed("wait failed: " + e.getCause());
                }
            }
            case ControlRequest.PAUSE -> {
                handler.pause();
                return ControlResponse.OK;
            }
            case ControlRequest.RESUME -> {
                handler.resume();
                return ControlResponse.OK;
            }
            case ControlRequest.STATS -> {
                return ControlResponse.stats(handler.stats());
            }
            case ControlRequest.UPDATE -> {
                if (req.limits() == null) {
                    return ControlResponse.failed("update without limits");
                }
                handler.update(req.limits());
                return ControlResponse.OK;
            }
            default -> {
                return ControlResponse.failed("unknown control request '" + req.type() + "'");
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        server.shutdown(); // wakes the acceptor (accept fails with EINVAL)
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.debug("control socket: cannot remove " + path + ": " + e);
        }
    }
}
