package dev.jvisor.runsc;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Signals;
import dev.jvisor.runsc.container.Console;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.SandboxProcess;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.oci.Bundle;
import dev.jvisor.runsc.oci.OciSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc create --bundle B --pid-file P ID}: starts the sandbox process, detached, with this process's
 * stdio as the workload's, and returns once its init is loaded and waiting for {@code start}. The sandbox
 * process's PID goes in the pid file; its exit status will be the init's. With {@code process.terminal}, the
 * workload's stdio is a new pty instead, whose master goes to {@code --console-socket}.
 */
@Command(name = "create", sortOptions = false, description = "Create a container (start runs it).")
final class Create extends BaseCommand {
    @Mixin
    BundleOption bundle;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "File to write the sandbox's PID to.")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "PATH",
            description = "Unix socket that receives the terminal's master fd (process.terminal).")
    String consoleSocket;

    @Mixin
    RuncCompatOptions compat;

    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() {
        compat.logIgnored();
        Container.checkId(id);
        globals().requireRunnable();
        create(globals(), bundle.load(), id, pidFile, consoleSocket);
        return OK;
    }

    /**
     * Creates container {@code id} from bundle {@code b}: the detached sandbox process, its state (created) and
     * the pid file. Shared by {@code create} and {@code run --detach}.
     */
    static void create(GlobalOptions g, Bundle b, String id, Path pidFile, String consoleSocket) {
        boolean terminal = b.config().process().terminal();
        if (terminal && consoleSocket == null) {
            throw new CliException("process.terminal needs --console-socket (the caller receives the pty master)");
        }
        if (!terminal && consoleSocket != null) {
            throw new CliException("--console-socket needs process.terminal in config.json");
        }
        Path root = g.rootPath();
        String created = Instant.now().toString();
        try (Container c = Container.create(root, id)) {
            SandboxProcess.Started s;
            try (Console console = terminal ? Console.open(rows(b), cols(b)) : null) {
                s = SandboxProcess.spawn(SentryCommand.of(g, root, b.dir(), id), System.getenv(),
                        console == null ? -1 : console.slave());
                if (console != null) {
                    try {
                        console.sendMaster(Path.of(consoleSocket));
                    } catch (RuntimeException e) {
                        Host.kill(s.pid(), Signals.SIGKILL);
                        SandboxProcess.reap(s.pid());
                        throw e;
                    }
                }
            } catch (RuntimeException e) {
                c.remove();
                throw e;
            }
            Log.debug("sandbox " + id + " created: pid " + s.pid() + ", gofer pid " + s.goferPid());
            Map<String, String> annotations = b.config().annotations();
            c.save(new ContainerState(ContainerState.OCI_VERSION, id, s.pid(), Status.CREATED, b.dir().toString(),
                    b.rootfs().toString(), created, "", annotations, g.platform(), s.startTime(),
                    s.goferPid()));
            if (pidFile != null) {
                Run.writePidFile(pidFile, s.pid());
            }
        }
    }

    private static Integer rows(Bundle b) {
        OciSpec.ConsoleSize size = b.config().process().consoleSize();
        return size == null ? null : size.height();
    }

    private static Integer cols(Bundle b) {
        OciSpec.ConsoleSize size = b.config().process().consoleSize();
        return size == null ? null : size.width();
    }
}
