package dev.jvisor.runsc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a detached sandbox process, {@code jrunsc boot}: the same java and classpath as this JVM,
 * the sentry's JVM options (set by bin/jrunsc as {@code -Djvisor.sentry.jvmOptions}), then the global flags that
 * shape a sandbox, {@code boot --bundle B ID}.
 */
final class SentryCommand {
    private SentryCommand() {}

    /** The sentry's JVM options, separated by spaces (set by bin/jrunsc). */
    static final String JVM_OPTIONS_PROPERTY = "jvisor.sentry.jvmOptions";

    static List<String> of(GlobalOptions g, Path root, Path bundle, String id) {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty(GoferCommand.JAVA_PROPERTY,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String options = System.getProperty(JVM_OPTIONS_PROPERTY, "--enable-native-access=ALL-UNNAMED").strip();
        if (!options.isEmpty()) {
            cmd.addAll(List.of(options.split("\\s+")));
        }
        // The gofer's command line is built in the sentry from these same properties.
        for (String p : List.of(GoferCommand.JAVA_PROPERTY, GoferCommand.JVM_OPTIONS_PROPERTY)) {
            String v = System.getProperty(p);
            if (v != null) {
                cmd.add("-D" + p + "=" + v);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("--root=" + root);
        if (g.debugLog != null) {
            cmd.add("--debug-log=" + Path.of(g.debugLog).toAbsolutePath());
            if (g.debug) {
                cmd.add("--debug");
            }
        }
        if (g.log != null) {
            cmd.add("--log=" + Path.of(g.log).toAbsolutePath());
            cmd.add("--log-format=" + g.logFormat.name().toLowerCase(java.util.Locale.ROOT));
        }
        cmd.add("--platform=" + g.platform());
        cmd.add("--network=" + g.network.name().toLowerCase(java.util.Locale.ROOT));
        cmd.add("--overlay2=" + g.overlay2);
        if (g.strace) {
            cmd.add("--strace");
        }
        cmd.add("boot");
        cmd.add("--bundle=" + bundle);
        cmd.add(id);
        return List.copyOf(cmd);
    }
}
