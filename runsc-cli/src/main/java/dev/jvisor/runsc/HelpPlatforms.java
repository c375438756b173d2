package dev.jvisor.runsc;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code jrunsc help platforms}: the --platform names and which ones run workloads today. */
@Command(name = "platforms", description = "List the platforms and whether each is available.")
final class HelpPlatforms extends BaseCommand {
    @Override
    protected int execute() {
        PrintWriter out = out();
        out.printf("%-8s  %-9s  %s%n", "PLATFORM", "AVAILABLE", "DESCRIPTION");
        for (Platforms.Info p : Platforms.ALL) {
            out.printf("%-8s  %-9s  %s%n", p.name(), p.available() ? "yes" : "not yet", p.description());
        }
        out.flush();
        return OK;
    }
}
