package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc wait ID}: blocks until the container's init exits and prints {@code {"id":ID,"exitStatus":N}},
 * as runsc does. The status is unknown (-1) when the sandbox died without recording it.
 */
@Command(name = "wait", description = "Wait for a container to exit and print its exit status.")
final class Wait extends BaseCommand {
    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() throws Exception {
        Path root = globals().rootPath();
        int status;
        // No lock: a wait lasts as long as the container, and must not hold off start, kill or delete.
        ContainerState s = Container.read(root, id);
        Path dir = root.resolve(id);
        if (s.status() == Status.STOPPED) {
            status = exitStatus(root, id);
        } else {
            try {
                Integer st = ControlClient.call(Container.controlSocket(dir), ControlRequest.awaitExit()).exitStatus();
                status = st == null ? -1 : st;
            } catch (ControlClient.SandboxGoneException e) {
                status = exitStatus(root, id);
            }
        }
        out().println("{\"id\":" + Json.PRETTY.writeValueAsString(id) + ",\"exitStatus\":" + status + "}");
        out().flush();
        return OK;
    }

    private static int exitStatus(Path root, String id) {
        try (Container c = Container.open(root, id)) {
            return c.exitStatus();
        }
    }
}
