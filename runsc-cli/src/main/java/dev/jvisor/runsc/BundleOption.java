package dev.jvisor.runsc;

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
}
