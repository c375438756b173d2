package dev.jvisor.runsc;

import dev.jvisor.gofer.GoferMain;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code jrunsc gofer}: the file server of one sandbox, started by the sentry with {@link GoferCommand}'s command
 * line plus {@code --io-fd N --root DIR [--readonly]}. It serves the tree over the inherited Unix socket and exits
 * when the socket closes. Hidden: users never run it. The arguments are {@link GoferMain}'s.
 */
@Command(name = "gofer", hidden = true, description = "Serve a sandbox's files to its sentry (internal).")
final class Gofer extends BaseCommand {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    protected int execute() {
        return GoferMain.run(args.toArray(String[]::new));
    }

    @Override
    protected String logRole() {
        return "gofer";
    }
}
