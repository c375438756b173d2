package dev.jvisor.runsc;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Signals;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerException;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.HostProcess;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc delete [--force] ID}: removes a stopped container's state, as runc does. A created container is
 * killed first; a running one only with --force. A sandbox that crashed is cleaned up like a stopped one, and
 * with --force so is the directory of a create that died before writing the state.
 */
@Command(name = "delete", sortOptions = false, description = "Delete a container and its state.")
final class Delete extends BaseCommand {
    @Option(names = {"-f", "--force"}, description = "Kill the container first if it is running.")
    boolean force;

    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    /** How long the sandbox gets to exit after SIGKILL reached its init, before its process is killed outright. */
    private static final long GRACE_MILLIS = 2_000;

    @Override
    protected int execute() throws InterruptedException {
        try (Container c = force ? Container.openIncomplete(globals().rootPath(), id)
                : Container.open(globals().rootPath(), id)) {
            if (!c.hasState()) {
                // A create that died before writing the state: nothing runs that we could know of.
                Log.debug("delete --force " + id + ": removing a state directory without state.json");
                c.remove();
                return OK;
            }
            ContainerState s = c.state();
            if (s.status() == Status.RUNNING || s.status() == Status.PAUSED) {
                if (!force) {
                    throw new CliException("cannot delete container " + id + " that is not stopped: "
                            + s.status().ociName() + " (use --force)");
                }
            }
            if (s.status() != Status.STOPPED) {
                stop(c, s);
            }
            c.remove();
        }
        return OK;
    }

    /** Kills the init through the control socket, then the sandbox process itself if it lingers. */
    private void stop(Container c, ContainerState s) throws InterruptedException {
        try {
            ControlClient.call(c.controlSocket(), ControlRequest.kill(Signals.SIGKILL, true));
        } catch (ContainerException e) {
            Log.debug("delete " + id + ": " + e.getMessage() + "; killing the sandbox process");
        }
        if (awaitGone(s, GRACE_MILLIS)) {
            return;
        }
        if (HostProcess.alive(s.pid(), s.sandboxStartTime())) {
            Host.kill((int) s.pid(), Signals.SIGKILL);
        }
        if (!awaitGone(s, GRACE_MILLIS)) {
            throw new CliException("container " + id + ": the sandbox process " + s.pid() + " does not exit");
        }
    }

    private static boolean awaitGone(ContainerState s, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (HostProcess.alive(s.pid(), s.sandboxStartTime())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
