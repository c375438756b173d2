package dev.jvisor.gofer.client;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Signals;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A running gofer process and the client connected to it. The client attaches on first use, so a sentry can
 * spawn the gofer, do its own start-up while the gofer's JVM boots, and only then wait for the attach.
 * {@link #close()} closes the connection, which makes the gofer exit, and reaps it with waitpid on its own pid
 * (never -1).
 */
public final class GoferProcess implements AutoCloseable {
    private static final int WNOHANG = 1;
    /** How long close() lets the gofer exit on its own before SIGKILL. */
    private static final long EXIT_GRACE_NS = 5_000_000_000L;

    private final int pid;
    private int socketFd; // guarded by this; -1 once the client owns it or it is closed
    private SocketGoferClient client; // guarded by this
    private int status = -1; // guarded by this

    GoferProcess(int pid, int socketFd) {
        this.pid = pid;
        this.socketFd = socketFd;
    }

    /** The gofer's host pid. */
    public int pid() {
        return pid;
    }

    /**
     * The client, attached to the gofer's root on the first call. Throws {@link GoferException} when the gofer
     * does not answer the attach (a bad root makes it exit); the process is then reaped.
     */
    public synchronized SocketGoferClient client() {
        if (client == null) {
            if (socketFd < 0) {
                throw new GoferException("the gofer connection is closed");
            }
            int fd = socketFd;
            socketFd = -1;
            try {
                client = new SocketGoferClient(fd);
            } catch (RuntimeException e) {
                closeAndWait();
                throw e instanceof GoferException ? e : new GoferException("attach to the gofer failed", e);
            }
        }
        return client;
    }

    /**
     * Closes the client and waits for the gofer to exit (SIGKILL after a grace period). Returns its wait status
     * as waitpid(2) gives it; idempotent.
     */
    public synchronized int closeAndWait() {
        if (status >= 0) {
            return status;
        }
        if (client != null) {
            client.close();
        } else if (socketFd >= 0) {
            Host.close(socketFd);
            socketFd = -1;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(JAVA_INT);
            long deadline = System.nanoTime() + EXIT_GRACE_NS;
            while (true) {
                int r = Host.wait4(pid, st, WNOHANG);
                if (r == pid) {
                    break;
                }
                if (r < 0 && r != -Errno.EINTR.number()) {
                    status = 0; // not our child any more (reaped elsewhere): nothing left to wait for
                    return status;
                }
                if (System.nanoTime() > deadline) {
                    Host.kill(pid, Signals.SIGKILL);
                    int w;
                    do {
                        w = Host.wait4(pid, st, 0);
                    } while (w == -Errno.EINTR.number());
                    break;
                }
                Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            status = st.get(JAVA_INT, 0);
            return status;
        }
    }

    @Override
    public void close() {
        closeAndWait();
    }
}
