package dev.jvisor.runsc;

import dev.jvisor.gofer.GoferMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a gofer JVM ({@link dev.jvisor.sentry.boot.SandboxSpec#goferCommand}): the same
 * java and classpath as this JVM, then {@code dev.jvisor.gofer.GoferMain [--debug-log F [--debug]]}, to which the
 * sentry appends the gofer's own arguments: {@code --io-fd N --root DIR [--readonly]}. bin/jrunsc passes the java
 * binary and the gofer's JVM options as system properties; without them (tests, an IDE) this JVM's java and
 * native access are used.
 */
final class GoferCommand {
    private GoferCommand() {}

    /** The java binary that runs the gofer (set by bin/jrunsc). */
    static final String JAVA_PROPERTY = "jvisor.java";
    /** The gofer's JVM options, separated by spaces (set by bin/jrunsc). */
    static final String JVM_OPTIONS_PROPERTY = "jvisor.gofer.jvmOptions";

    static List<String> of(GlobalOptions g) {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty(JAVA_PROPERTY, Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String options = System.getProperty(JVM_OPTIONS_PROPERTY, "--enable-native-access=ALL-UNNAMED").strip();
        if (!options.isEmpty()) {
            cmd.addAll(List.of(options.split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        // GoferMain directly, not this CLI's "gofer" command: skipping picocli's set-up of every command saves
        // about 80 ms of the gofer's start, which is on the path to every running container.
        cmd.add(GoferMain.class.getName());
        if (g.debugLog != null) {
            cmd.add("--debug-log");
            cmd.add(g.debugLog);
            if (g.debug) {
                cmd.add("--debug");
            }
        }
        return List.copyOf(cmd);
    }
}
