package dev.jvisor.runsc;

import dev.jvisor.sentry.boot.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc do CMD ARGS...}: runs a host command in a sandbox without a bundle. The root is the host's "/"
 * served read-only by the gofer under an in-memory overlay, so writes never reach the host; the command gets
 * the caller's environment, working directory and identity. It stays in the foreground; its exit status is the
 * command's.
 */
@Command(name = "do", sortOptions = false, description = "Run a host command in a sandbox, with no bundle.")
final class Do extends BaseCommand {
    @Option(names = "--cwd", paramLabel = "DIR",
            description = "Working directory in the sandbox (default: the caller's, or / with --root-path).")
    String cwd;

    @Option(names = "--root-path", paramLabel = "DIR", defaultValue = "/",
            description = "Host directory served as the sandbox's root, read-only (default: ${DEFAULT-VALUE}).")
    String rootPath;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command;

    @Override
    protected int execute() {
        globals().requireRunnable();
        SandboxSpec spec = spec(System.getenv(), Path.of(System.getProperty("user.dir")), CallerIdentity.current());
        return runInForeground(spec);
    }

    SandboxSpec spec(Map<String, String> env, Path callerCwd, CallerIdentity who) {
        Path root = Path.of(rootPath).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new CliException("--root-path " + rootPath + ": no such directory");
        }
        // The caller's directory means something inside the sandbox only when the sandbox's root is the host's.
        Path base = root.getParent() == null ? callerCwd : Path.of("/");
        String dir = (cwd == null ? base : base.resolve(cwd)).normalize().toString();
        List<String> environ = env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).toList();
        GlobalOptions g = globals();
        return new SandboxSpec(List.copyOf(command), environ, dir, root.toString(), true,
                g.overlay2().rootInMemory(), who.uid(), who.gid(), who.groups(), who.hostname(),
                SandboxSpec.Limits.NONE, List.of(), g.platform(), g.strace(), GoferCommand.of(g));
    }
}
