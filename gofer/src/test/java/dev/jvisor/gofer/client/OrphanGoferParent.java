package dev.jvisor.gofer.client;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test helper process: starts a gofer over {@code args[1]}, writes its pid to {@code args[0]}, and dies after
 * {@code args[2]} ms without closing anything, as a crashing sentry would. With {@code args[3] = "keep-socket"} it
 * first hands its end of the gofer's socket to a {@code sleep} process, so that only PR_SET_PDEATHSIG can end the
 * gofer; the sleep's pid follows the gofer's in the file.
 */
public final class OrphanGoferParent {
    private OrphanGoferParent() {}

    public static void main(String[] args) throws Exception {
        GoferProcess g = GoferLauncher.start(GoferLauncher.defaultCommand(), args[1], true);
        String pids = Integer.toString(g.pid());
        if (args.length > 3 && args[3].equals("keep-socket")) {
            int sleeper = PosixSpawn.spawn(java.util.List.of("/bin/sleep", "60"), g.client().socketFd(), 3);
            pids += " " + sleeper;
        }
        Files.writeString(Path.of(args[0] + ".tmp"), pids);
        Files.move(Path.of(args[0] + ".tmp"), Path.of(args[0]));
        Thread.sleep(Long.parseLong(args[2]));
        Runtime.getRuntime().halt(0);
    }
}
