package dev.jvisor.runsc;

import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jrunsc list [-q] [--format table|json]}: the containers under --root, as runc lists them. */
@Command(name = "list", sortOptions = false, description = "List containers.")
final class ListCommand extends BaseCommand {
    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "Print the IDs only.")
    boolean quiet;

    @Override
    protected int execute() throws IOException {
        List<ContainerState> states = Container.list(globals().rootPath());
        PrintWriter out = out();
        if (quiet) {
            states.forEach(s -> out.println(s.id()));
        } else if (format.equals("json")) {
            out.println(Json.PRETTY.writeValueAsString(states));
        } else if (format.equals("table")) {
            table(out, states);
        } else {
            throw new CliException("invalid --format '" + format + "' (table or json)");
        }
        out.flush();
        return OK;
    }

    private static void table(PrintWriter out, List<ContainerState> states) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
        for (ContainerState s : states) {
            rows.add(new String[] {s.id(), Long.toString(s.pid()), s.status().ociName(), s.bundle(), s.created(),
                    s.owner()});
        }
        int[] width = new int[6];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 4));
                }
            }
            out.println(line);
        }
    }
}
