package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerException;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.HostProcess;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlServer;
import dev.jvisor.runsc.oci.Bundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The state directory of a container that {@code run} runs in the foreground, so that {@code state}, {@code list},
 * {@code kill}, {@code pause}, {@code events}... work on it from other shells as on a created one: the sandbox
 * process is this one, its control socket is served from this JVM, and the directory goes when the run ends
 * (runc's run deletes its container too). The launcher drives it: {@link #claim} before the sandbox boots,
 * {@link #created} once it is loaded, {@link #running} after start, {@link #exited}, then {@link #close}.
 */
final class RunRegistration implements AutoCloseable {
    private final Path root;
    private final String id;
    private final Bundle bundle;
    private final String platform;
    private final String created = Instant.now().toString();
    private Container claimed;
    private ControlServer control;

    RunRegistration(Path root, String id, Bundle bundle, String platform) {
        this.root = root;
        this.id = id;
        this.bundle = bundle;
        this.platform = platform;
    }

    /** Makes {@code <root>/<id>/} and holds its lock; fails when the id is taken. */
    void claim() {
        claimed = Container.create(root, id);
    }

    /** Serves the control socket with {@code handler} and records the container as created. */
    void created(ControlServer.Handler handler, long goferPid) {
        Path dir = root.resolve(id);
        Path socket = Container.controlSocket(dir);
        try {
            if (!socket.startsWith(dir)) {
                Container.prepareSocketDir(socket);
            }
            control = ControlServer.listen(socket, handler);
        } catch (IOException e) {
            throw new CliException("control socket " + socket + ": " + e.getMessage());
        }
        long pid = ProcessHandle.current().pid();
        claimed.save(new ContainerState(ContainerState.OCI_VERSION, id, pid, Status.CREATED, bundle.dir().toString(),
                bundle.rootfs().toString(), created, "", bundle.config().annotations(), platform,
                HostProcess.startTime(pid), goferPid));
        claimed.close(); // other commands may come in now
        claimed = null;
    }

    /** Records that the init runs (unless a command moved the container on meanwhile). */
    void running() {
        try (Container c = Container.open(root, id)) {
            ContainerState s = c.state();
            if (s.status() == Status.CREATED) {
                c.save(s.withStatus(Status.RUNNING));
            }
        } catch (ContainerException e) {
            Log.debug("run " + id + ": " + e.getMessage()); // deleted with --force meanwhile
        }
    }

    /** Records the init's exit status and answers the waits. */
    void exited(int status) {
        try {
            Container.writeAtomically(root.resolve(id).resolve(Container.EXIT),
                    Integer.toString(status).getBytes(StandardCharsets.US_ASCII));
        } catch (ContainerException e) {
            Log.debug("run " + id + ": cannot record the exit status: " + e.getMessage());
        }
        if (control != null) {
            control.exited(status);
        }
    }

    /** Stops serving the control socket and removes the state directory. */
    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
        if (claimed == null) {
            try {
                claimed = Container.openIncomplete(root, id);
            } catch (ContainerException e) {
                return; // deleted meanwhile
            }
        }
        try {
            claimed.remove();
        } catch (ContainerException e) {
            Log.warn("run " + id + ": " + e.getMessage());
        } finally {
            claimed.close();
            claimed = null;
        }
    }
}
