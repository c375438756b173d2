package dev.jvisor.runsc;

import dev.jvisor.abi.Signals;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc kill [--all] ID [SIGNAL]}: sends a signal (a name or a number; SIGTERM by default) to the init,
 * or with --all to every process of the container. A paused container still gets it: SIGKILL ends its frozen
 * tasks, other signals wait for the resume.
 */
@Command(name = "kill", sortOptions = false, description = "Send a signal to a container's init process.")
final class Kill extends BaseCommand {
    @Option(names = {"-a", "--all"}, description = "Signal every process of the container.")
    boolean all;

    @Parameters(index = "0", paramLabel = "ID", description = "The container's ID.")
    String id;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SIGNAL", defaultValue = "SIGTERM",
            description = "KILL, SIGKILL or 9 (default: ${DEFAULT-VALUE}).")
    String signal;

    @Override
    protected int execute() {
        int sig = Signals.parse(signal);
        if (sig < 1) {
            throw new CliException("unknown signal '" + signal + "'");
        }
        try (Container c = Container.open(globals().rootPath(), id)) {
            ContainerState s = c.state();
            if (s.status() == Status.STOPPED) {
                throw new CliException("container " + id + " is not running");
            }
            ControlClient.call(c.controlSocket(), ControlRequest.kill(sig, all));
        }
        return OK;
    }
}
