package dev.jvisor.runsc;

import dev.jvisor.runsc.oci.Bundle;
import dev.jvisor.runsc.oci.BundleConfigException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** runc's {@code --bundle DIR}: the bundle directory, by default the current one. */
final class BundleOption {
    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR",
            description = "Path to the bundle directory (default: the current directory).")
    Path dir;

    Path dir() {
        return dir != null ? dir : Path.of(System.getProperty("user.dir"));
    }

    /** The bundle, loaded and checked; a bad one fails the command with its one-line message. */
    Bundle load() {
        try {
            return Bundle.load(dir());
        } catch (BundleConfigException e) {
            throw new CliException(e.getMessage());
        }
    }
}
