package dev.jvisor.runsc.control;

import dev.jvisor.abi.Log;
import dev.jvisor.sentry.boot.SandboxException;
import dev.jvisor.sentry.boot.SandboxStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The sentry's end of {@code <root>/<id>/control.sock}: accepts connections on a thread of its own and answers
 * each connection's one request on a virtual thread, so a {@code wait} that blocks until the init exits holds
 * up nobody. Requests go to a {@link Handler}, the sandbox.
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
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Set<Thread> active = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().daemon().name("control").unstarted(this::acceptLoop);
    }

    /** Listens on {@code path} (replacing a stale socket file) and starts answering. */
    public static ControlServer listen(Path path, Handler handler) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        ControlServer s = new ControlServer(path, ch, handler);
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
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    Log.warn("control socket: accept failed: " + e);
                }
                return;
            }
            Thread t = Thread.ofVirtual().name("control-request").unstarted(() -> serve(c));
            active.add(t);
            t.start();
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            ControlResponse r;
            try {
                r = answer(ControlClient.JSON.readValue(readRequest(c), ControlRequest.class));
            } catch (IOException e) {
                r = ControlResponse.failed("bad control request: " + e.getMessage());
            } catch (SandboxException e) {
                r = ControlResponse.failed(e.getMessage()); // refused by the sandbox, with a reason
            } catch (RuntimeException e) {
                Log.warn("control request failed", e);
                r = ControlResponse.failed("control request failed: " + e);
            }
            ByteBuffer out = ByteBuffer.wrap(ControlClient.JSON.writeValueAsBytes(r));
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            Log.debug("control socket: client went away: " + e);
        } finally {
            active.remove(Thread.currentThread());
        }
    }

    private static byte[] readRequest(SocketChannel c) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1024);
        while (c.read(b) >= 0) {
            for (int i = 0; i < b.position(); i++) {
                if (b.get(i) == '\n') {
                    in.write(b.array(), 0, i);
                    return in.toByteArray();
                }
            }
            in.write(b.array(), 0, b.position());
            b.clear();
            if (in.size() > 65536) {
                throw new IOException("request too long");
            }
        }
        return in.toByteArray();
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
        try {
            server.close();
        } catch (IOException e) {
            // closing a listening socket does not fail in a way we could act on
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.debug("control socket: cannot remove " + path + ": " + e);
        }
    }
}
