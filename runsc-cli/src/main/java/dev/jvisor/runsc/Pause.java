package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc pause ID}: freezes every task of a running container, as runc's cgroup freezer does; the state
 * shows "paused" until {@code resume}. {@code kill} and {@code delete --force} still end it.
 */
@Command(name = "pause", description = "Suspend every process of a running container.")
final class Pause extends BaseCommand {
    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() {
        try (Container c = Container.open(globals().rootPath(), id)) {
            ContainerState s = c.state();
            Status next = s.status().moveTo(Status.PAUSED, id);
            ControlClient.call(c.controlSocket(), ControlRequest.pause());
            c.save(s.withStatus(next));
        }
        return OK;
    }
}
