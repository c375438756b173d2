package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
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
        try (Container c = Container.open(globals().rootPath(), id)) {
            ContainerState s = c.state();
            Status next = s.status().moveTo(Status.RUNNING, id);
            ControlClient.call(c.controlSocket(), ControlRequest.start());
            c.save(s.withStatus(next));
        }
        return OK;
    }
}
