package dev.jvisor.runsc;

import dev.jvisor.sentry.boot.Sandbox;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jrunsc}: an OCI runtime whose containers run on the jVisor sentry. The global flags come before the
 * command, as with runc and runsc: {@code jrunsc --root R --log L --log-format json run --bundle B ID}.
 */
@Command(name = "jrunsc", versionProvider = VersionProvider.class, sortOptions = false,
        description = "An OCI runtime that runs containers on the jVisor user-space kernel.",
        subcommands = {Do.class, Run.class, Create.class, Start.class, State.class, Kill.class, Delete.class,
                Pause.class, Resume.class, Events.class, Update.class, ListCommand.class, Wait.class, Exec.class,
                Ps.class, Checkpoint.class, Features.class, Spec.class, Help.class, Gofer.class, Boot.class})
public final class Main extends BaseCommand {
    @Mixin
    final GlobalOptions globals = new GlobalOptions();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-v", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    private final SandboxLauncher launcher;
    private final SignalForwarder forwarder;

    /** The production wiring: sandboxes run in this JVM, and SIGINT/SIGTERM go to the running one. */
    public Main() {
        this(new ForegroundSandbox());
    }

    private Main(ForegroundSandbox sandbox) {
        this(sandbox, sandbox);
    }

    /**
     * @param launcher runs a sandbox and returns its init's exit status ({@link Sandbox#run} in production)
     * @param forwarder receives the SIGINT and SIGTERM that {@code do} and {@code run} catch while in the
     *     foreground; {@link SignalForwarder#NONE} leaves the JVM's own handling alone
     */
    public Main(SandboxLauncher launcher, SignalForwarder forwarder) {
        this.launcher = launcher;
        this.forwarder = forwarder;
    }

    public static void main(String[] args) {
        System.exit(new Main().execute(args, stdout(), stderr()));
    }

    /** Parses and runs {@code args}; returns the exit status. Nothing but command output reaches {@code out}. */
    public int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    CommandLine commandLine(PrintWriter out, PrintWriter err) {
        ErrorReporter reporter = new ErrorReporter(globals, err);
        CommandLine cl = new CommandLine(this);
        cl.setOut(out);
        cl.setErr(err);
        // do's own argv starts at its first positional: "jrunsc do ls -l" hands "-l" to ls.
        cl.getSubcommands().get("do").setStopAtPositional(true);
        cl.getSubcommands().get("exec").setStopAtPositional(true); // likewise "exec ID ls -l"
        cl.setParameterExceptionHandler(reporter);
        cl.setExecutionExceptionHandler(reporter);
        cl.setExitCodeExceptionMapper(new ExitCodes());
        return cl;
    }

    @Override
    protected int execute() {
        // Like runc: no command prints the usage.
        spec.commandLine().usage(out());
        return OK;
    }

    SandboxLauncher launcher() {
        return launcher;
    }

    SignalForwarder forwarder() {
        return forwarder;
    }

    private static PrintWriter stdout() {
        return new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    }

    private static PrintWriter stderr() {
        return new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    }
}
