package dev.jvisor.runsc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import dev.jvisor.sentry.boot.SandboxStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc events [--stats] [--interval D] ID}: prints the container's resource usage as runc does, one JSON
 * event a line, {@code {"type":"stats","id":ID,"data":{"cpu":...,"memory":...,"pids":...}}} with runc's field
 * names, every interval until the container stops; with --stats once. CPU is the workload's, from the kernel's
 * per-process accounting (user: in the stubs; kernel: the sentry emulating its syscalls), summed over every
 * process of the sandbox with the children they reaped and the exec'd processes that ended;
 * memory is the workload memory allocated from the memory file against its cap; pids counts tasks against the
 * task cap. No OOM events: an allocation beyond the cap fails with ENOMEM instead of killing.
 */
@Command(name = "events", sortOptions = false, description = "Print a container's resource usage as JSON events.")
final class Events extends BaseCommand {
    @Option(names = "--stats", arity = "0..1", paramLabel = "BOOL", description = "Print the stats once and exit.")
    boolean stats;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "5s",
            description = "Time between stats events (default: ${DEFAULT-VALUE}).")
    String interval;

    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected int execute() throws IOException, InterruptedException {
        Duration every = GoDuration.parse("--interval", interval);
        if (every.isZero() || every.isNegative()) {
            throw new CliException("--interval must be greater than 0");
        }
        Path root = globals().rootPath();
        // No lock, as with wait: events lasts as long as the container and must not hold off other commands.
        ContainerState s = Container.read(root, id);
        if (s.status() == Status.STOPPED) { // a created container has stats too (its init is loaded), as in runc
            throw new CliException("container " + id + " is not running");
        }
        Path socket = Container.controlSocket(root.resolve(id));
        for (;;) {
            SandboxStats st;
            try {
                st = ControlClient.call(socket, ControlRequest.stats()).stats();
            } catch (ControlClient.SandboxGoneException e) {
                if (stats) {
                    throw new CliException("container " + id + " is not running");
                }
                return OK; // the container ended: so does the stream, as with runc
            }
            out().println(JSON.writeValueAsString(event(id, st)));
            out().flush();
            if (stats) {
                return OK;
            }
            Thread.sleep(every);
        }
    }

    /** One stats event in runc's layout (types.Event holding types.Stats). */
    static ObjectNode event(String id, SandboxStats s) {
        ObjectNode e = JSON.createObjectNode();
        e.put("type", "stats");
        e.put("id", id);
        ObjectNode data = e.putObject("data");
        ObjectNode usage = data.putObject("cpu").putObject("usage");
        usage.put("total", s.cpuNanos());
        usage.put("kernel", s.sysNanos());
        usage.put("user", s.userNanos());
        ObjectNode mem = data.putObject("memory").putObject("usage");
        mem.put("limit", s.memoryLimit());
        mem.put("usage", s.memoryBytes());
        mem.put("failcnt", 0);
        ObjectNode pids = data.putObject("pids");
        pids.put("current", s.tasks());
        pids.put("limit", s.maxTasks());
        return e;
    }
}
