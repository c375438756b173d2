package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.runsc.container.ContainerException;
import dev.jvisor.sentry.boot.SandboxException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Reports a failed command: exactly one line {@code jrunsc: <message>} on stderr, the same message in the --log
 * file, and never a stack trace outside the debug log.
 */
final class ErrorReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
    private final GlobalOptions globals;
    private final PrintWriter err;

    ErrorReporter(GlobalOptions globals, PrintWriter err) {
        this.globals = globals;
        this.err = err;
    }

    /** A usage error (unknown flag, bad value, missing argument): exit status 2. */
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        report(oneLine(ex.getMessage()) + " (see 'jrunsc --help')");
        return BaseCommand.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
        String msg = switch (ex) {
            case CliException e -> e.getMessage();
            case SandboxException e -> e.getMessage();
            case ContainerException e -> e.getMessage();
            case UnsupportedOperationException e -> e.getMessage();
            default -> {
                Log.warn("internal error", ex);
                yield "internal error: " + ex;
            }
        };
        report(oneLine(msg));
        return cl.getExitCodeExceptionMapper().getExitCode(ex);
    }

    private void report(String msg) {
        err.println("jrunsc: " + msg);
        err.flush();
        Log.info("failed: " + msg);
        globals.runcLog().error(msg);
    }

    static String oneLine(String msg) {
        return msg == null ? "unknown error" : msg.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
