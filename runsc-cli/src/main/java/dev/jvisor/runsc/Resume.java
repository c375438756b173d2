package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jrunsc resume ID}: lets a paused container's tasks run again. */
@Command(name = "resume", description = "Resume every process of a paused container.")
final class Resume extends BaseCommand {
    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() {
        try (Container c = Container.open(globals().rootPath(), id)) {
            ContainerState s = c.state();
            if (s.status() != Status.PAUSED) {
                throw new CliException("cannot resume container " + id + ": it is " + s.status().ociName()
                        + ", not paused");
            }
            ControlClient.call(c.controlSocket(), ControlRequest.resume());
            c.save(s.withStatus(Status.RUNNING));
        }
        return OK;
    }
}
