package dev.jvisor.runsc;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jrunsc help [COMMAND]}, and as in runsc, {@code help syscalls} and {@code help platforms}. */
@Command(name = "help", description = "Show the help of a command, or what jrunsc supports.",
        subcommands = {HelpSyscalls.class, HelpPlatforms.class})
final class Help extends BaseCommand {
    @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "The command to describe.")
    String topic;

    @Override
    protected int execute() {
        CommandLine root = spec.root().commandLine();
        if (topic == null) {
            root.usage(out());
            return OK;
        }
        CommandLine command = root.getSubcommands().get(topic);
        if (command == null || command.getCommandSpec().usageMessage().hidden()) {
            throw new CliException("unknown command '" + topic + "' (see 'jrunsc --help')", USAGE);
        }
        command.usage(out());
        return OK;
    }
}
