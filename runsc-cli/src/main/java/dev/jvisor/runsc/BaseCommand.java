package dev.jvisor.runsc;

import dev.jvisor.sentry.boot.SandboxSpec;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A jrunsc command. {@link #call} starts the debug log from the global flags, then runs {@link #execute}. A
 * command fails by throwing {@link CliException} (one line for the user); {@link ErrorReporter} prints it.
 */
public abstract class BaseCommand implements Callable<Integer> {
    /** Success. */
    public static final int OK = 0;
    /** A command failed (runc's generic failure status). */
    public static final int FAILURE = 1;
    /** The command line could not be parsed. */
    public static final int USAGE = 2;

    @Spec
    protected CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        globals().startLogging(spec.qualifiedName(" "), logRole());
        return execute();
    }

    /** The process role that prefixes this command's debug-log lines. */
    protected String logRole() {
        return "jrunsc";
    }

    /** Does the command's work and returns its exit status. */
    protected abstract int execute() throws Exception;

    /**
     * Runs a sandbox in this JVM until its init exits, with SIGINT and SIGTERM going to the container meanwhile;
     * returns the init's exit status.
     */
    protected final int runInForeground(SandboxSpec spec) {
        return runInForeground(spec, null);
    }

    /** Like {@link #runInForeground(SandboxSpec)}, registering the container as {@code reg} says (when not null). */
    final int runInForeground(SandboxSpec spec, RunRegistration reg) {
        ForegroundSignals signals = ForegroundSignals.install(main().forwarder());
        try {
            return reg == null ? main().launcher().run(spec) : main().launcher().run(spec, reg);
        } finally {
            signals.close();
        }
    }

    protected final Main main() {
        return (Main) spec.root().userObject();
    }

    protected final GlobalOptions globals() {
        return main().globals;
    }

    /** Where command output goes (the workload owns stdout while a sandbox runs: write nothing there then). */
    protected final PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
