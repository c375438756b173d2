package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.IllegalTransitionException;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jrunsc start ID}: lets a created container's init run. */
@Command(name = "start", description = "Start a created container.")
final class Start extends BaseCommand {
    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() {
        start(globals().rootPath(), id);
        return OK;
    }

    /** Starts created container {@code id} ({@code start}, and {@code run --detach}). */
    static void start(java.nio.file.Path root, String id) {
        try (Container c = Container.open(root, id)) {
            ContainerState s = c.state();
            if (s.status() != Status.CREATED) {
                // Paused may move to running too, but only through resume.
                throw new IllegalTransitionException(id, s.status(), Status.RUNNING);
            }
            ControlClient.call(c.controlSocket(), ControlRequest.start());
            c.save(s.withStatus(Status.RUNNING));
        }
    }
}
