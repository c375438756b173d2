package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc checkpoint --image-path DIR ID}: the shim may send it (containerd's checkpoint API). The sentry
 * cannot save its state yet, so it takes runc's and runsc's flags, checks the container exists, and fails with one
 * clear line (and the JSON error line containerd shows), leaving the container as it was.
 */
@Command(name = "checkpoint", description = "Checkpoint a running container (not supported yet: fails clearly).")
final class Checkpoint extends BaseCommand {
    @Option(names = "--image-path", paramLabel = "DIR", description = "Where the image would go.")
    String imagePath;

    @Option(names = "--work-path", paramLabel = "DIR", description = "Accepted (runc).")
    String workPath;

    @Option(names = "--parent-path", paramLabel = "DIR", description = "Accepted (runc).")
    String parentPath;

    @Option(names = "--leave-running", description = "Accepted (runc).")
    boolean leaveRunning;

    @Option(names = {"--tcp-established", "--ext-unix-sk", "--shell-job", "--lazy-pages", "--file-locks",
            "--pre-dump", "--auto-dedup", "--compress", "--direct"}, hidden = true, description = "Accepted (runc, runsc).")
    boolean ignored;

    @Option(names = {"--manage-cgroups-mode", "--empty-ns", "--page-server", "--status-fd"}, hidden = true,
            description = "Accepted (runc).")
    String ignoredValue;

    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() {
        try (Container c = Container.open(globals().rootPath(), id)) {
            c.state(); // an unknown or unreadable container fails first, as for every command
        }
        throw new CliException("checkpoint is not supported by jrunsc yet: container " + id + " is left as it was");
    }
}
