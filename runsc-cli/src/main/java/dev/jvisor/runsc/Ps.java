package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import dev.jvisor.runsc.control.ProcessEntry;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc ps [--format table|json] ID}: the container's processes. JSON is an array of their PIDs (what
 * containerd's runc shim parses; as with runsc they are PIDs inside the sandbox); the table has runsc's columns,
 * UID PID PPID C STIME TIME CMD.
 */
@Command(name = "ps", sortOptions = false, description = "List the processes running in a container.")
final class Ps extends BaseCommand {
    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Parameters(index = "0", paramLabel = "ID", description = "The container's ID.")
    String id;

    @Parameters(index = "1..*", paramLabel = "PS_ARGS", hidden = true, description = "ps(1) options (ignored).")
    List<String> psArgs;

    @Override
    protected int execute() throws Exception {
        if (!format.equals("json") && !format.equals("table")) {
            throw new CliException("invalid --format '" + format + "' (table or json)");
        }
        ContainerState s = Container.read(globals().rootPath(), id);
        if (s.status() == Status.STOPPED) {
            throw new CliException("container " + id + " is not running");
        }
        List<ProcessEntry> ps = ControlClient.call(Container.controlSocket(globals().rootPath().resolve(id)),
                ControlRequest.ps()).processes();
        if (format.equals("json")) {
            out().println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(ps.stream().map(ProcessEntry::pid).toList()));
        } else {
            out().print(table(ps, ZoneId.systemDefault(), System.currentTimeMillis()));
        }
        out().flush();
        return OK;
    }

    /**
     * runsc's table: UID PID PPID C STIME TIME CMD, columns as wide as their widest cell. TIME is the process's
     * CPU time (user plus system); C is ps(1)'s: that time as a whole percentage of its life so far, at most 99.
     */
    static String table(List<ProcessEntry> ps, ZoneId zone, long nowMillis) {
        String[][] rows = new String[ps.size() + 1][];
        rows[0] = new String[] {"UID", "PID", "PPID", "C", "STIME", "TIME", "CMD"};
        for (int i = 0; i < ps.size(); i++) {
            ProcessEntry p = ps.get(i);
            String cmd = p.cmd() == null || p.cmd().isEmpty() ? p.comm() : String.join(" ", p.cmd());
            int c = cpuPercent(p.cpuNanos(), nowMillis - p.startMillis());
            rows[i + 1] = new String[] {Integer.toString(p.uid()), Integer.toString(p.pid()),
                    Integer.toString(p.ppid()), Integer.toString(c),
                    stime(p.startMillis(), zone), GoDuration.formatMillis(p.cpuNanos()), cmd};
        }
        int[] width = new int[rows[0].length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                sb.append(c == r.length - 1 ? r[c] : String.format(Locale.ROOT, "%-" + width[c] + "s ", r[c]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** ps(1)'s C: CPU time over elapsed time, in whole percent, capped at 99 as procps caps it. */
    static int cpuPercent(long cpuNanos, long elapsedMillis) {
        if (elapsedMillis <= 0 || cpuNanos <= 0) {
            return 0;
        }
        return (int) Math.min(99, cpuNanos / 10_000 / elapsedMillis);
    }

    /** ps(1)'s STIME: HH:MM today, else the month and day. */
    static String stime(long millis, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(millis).atZone(zone);
        if (t.toLocalDate().equals(LocalDate.now(zone))) {
            return t.format(DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT));
        }
        return t.format(DateTimeFormatter.ofPattern("MMMdd", Locale.ROOT));
    }
}
