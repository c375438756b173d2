package dev.jvisor.runsc;

import dev.jvisor.gofer.GoferServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jrunsc gofer}: the file server of one sandbox, started by the sentry with {@link GoferCommand}'s command
 * line. It serves {@code --root-path} over the inherited Unix socket {@code --socket-fd} and exits when the
 * socket closes. Hidden: users never run it.
 *
 * <p>PENDING (outside src/main until dev.jvisor.gofer.GoferServer exists): move it to src/main/java and add
 * {@code Gofer.class} to {@link Main}'s subcommands.
 */
@Command(name = "gofer", hidden = true, description = "Serve a sandbox's files to its sentry (internal).")
final class Gofer extends BaseCommand {
    @Option(names = "--socket-fd", paramLabel = "FD", required = true, description = "The sentry's socket.")
    int socketFd;

    @Option(names = "--root-path", paramLabel = "DIR", required = true, description = "The tree to serve.")
    String rootPath;

    @Option(names = "--readonly", arity = "0..1", paramLabel = "BOOL", description = "Refuse every write.")
    boolean readonly;

    @Override
    protected int execute() throws Exception {
        GoferServer.serve(socketFd, rootPath, readonly);
        return OK;
    }

    @Override
    protected String logRole() {
        return "gofer";
    }
}
