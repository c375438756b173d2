package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc state ID}: prints the container's OCI state as JSON. A sandbox that died without a word (killed
 * with SIGKILL) shows as stopped.
 */
@Command(name = "state", description = "Print a container's state as JSON.")
final class State extends BaseCommand {
    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() throws IOException {
        out().println(Json.PRETTY.writeValueAsString(Container.read(globals().rootPath(), id)));
        out().flush();
        return OK;
    }
}
