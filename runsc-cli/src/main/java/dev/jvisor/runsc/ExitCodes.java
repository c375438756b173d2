package dev.jvisor.runsc;

import dev.jvisor.runsc.container.SandboxProcess;
import dev.jvisor.sentry.boot.SandboxException;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParameterException;

/** The exit status for a command that ended in an exception. */
final class ExitCodes implements IExitCodeExceptionMapper {
    @Override
    public int getExitCode(Throwable t) {
        return switch (t) {
            case CliException e -> e.exitStatus();
            // A sandbox that could not start exits as a shell would: 127 for a missing binary, 126 for a bad one.
            case SandboxException e -> e.exitStatus();
            case SandboxProcess.SandboxStartException e -> e.exitStatus();
            case ParameterException e -> BaseCommand.USAGE;
            default -> BaseCommand.FAILURE;
        };
    }
}
