package dev.jvisor.gofer.client;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test helper process: starts a gofer over {@code args[1]}, writes its pid to {@code args[0]}, and dies at once
 * without closing anything, as a crashing sentry would.
 */
public final class OrphanGoferParent {
    private OrphanGoferParent() {}

    public static void main(String[] args) throws Exception {
        GoferProcess g = GoferLauncher.start(GoferLauncher.defaultCommand(), args[1], true);
        Files.writeString(Path.of(args[0] + ".tmp"), Integer.toString(g.pid()));
        Files.move(Path.of(args[0] + ".tmp"), Path.of(args[0]));
        Thread.sleep(Long.parseLong(args[2]));
        Runtime.getRuntime().halt(0);
    }
}
