package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import java.io.IOException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The global flags of runc and runsc, which come before the command. */
public final class GlobalOptions {
    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/var/run/jrunsc",
            description = "Directory holding the state of containers (default: ${DEFAULT-VALUE}).")
    String root;

    @Option(names = "--log", paramLabel = "FILE",
            description = "File that receives a failing command's error (containerd reads it).")
    String log;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text", converter = LogFormat.Converter.class,
            description = "Format of the --log file: text or json (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    @Option(names = "--debug", arity = "0..1", paramLabel = "BOOL",
            description = "Write debug lines to the --debug-log file.")
    boolean debug;

    @Option(names = "--debug-log", paramLabel = "FILE",
            description = "File for the debug log; without it nothing is logged (stdio belongs to the workload).")
    String debugLog;

    @Option(names = "--platform", paramLabel = "NAME", converter = Platforms.Converter.class,
            description = "How workload code runs: ptrace, systrap or kvm (default: systrap where the host "
                    + "supports it, else ptrace; see 'jrunsc help platforms').")
    String platform;

    @Option(names = "--network", paramLabel = "MODE", defaultValue = "sandbox", converter = NetworkMode.Converter.class,
            description = "Networking: sandbox, host or none (default: ${DEFAULT-VALUE}).")
    NetworkMode network;

    @Option(names = "--strace", arity = "0..1", paramLabel = "BOOL",
            description = "Log every workload syscall to the debug log.")
    boolean strace;

    @Option(names = "--overlay2", paramLabel = "SPEC", defaultValue = "root:memory", converter = Overlay2.Converter.class,
            description = "Overlay over the root: root:memory (writes stay in sandbox memory) or none "
                    + "(default: ${DEFAULT-VALUE}).")
    Overlay2 overlay2;

    // runc flags that mean nothing to a sandbox: accepted so that containerd can pass them, and logged.
    @Option(names = "--systemd-cgroup", arity = "0..1", paramLabel = "BOOL",
            description = "Ignored (runc compatibility).")
    boolean systemdCgroup;

    @Option(names = "--rootless", paramLabel = "VALUE", description = "Ignored (runc compatibility).")
    String rootless;

    @Mixin
    final RuncCompatOptions compat = new RuncCompatOptions();

    public String root() {
        return root;
    }

    /** --root, absolute: the directory of the containers' state directories. */
    public java.nio.file.Path rootPath() {
        return java.nio.file.Path.of(root).toAbsolutePath().normalize();
    }

    /** --platform, or the default for this host ({@link Platforms#defaultName()}) when it was not given. */
    public String platform() {
        if (platform == null) {
            platform = Platforms.defaultName();
        }
        return platform;
    }

    public boolean strace() {
        return strace;
    }

    public Overlay2 overlay2() {
        return overlay2;
    }

    /** The --log file and its format: where a failing command reports its error for containerd. */
    RuncLog runcLog() {
        return new RuncLog(log, logFormat);
    }

    /** Opens the debug log, then records the flags that were accepted but ignored. */
    void startLogging(String command, String role) {
        if (debugLog != null) {
            try {
                Log.open(debugLog, role, debug);
            } catch (IOException e) {
                throw new CliException("--debug-log " + debugLog + ": " + e.getMessage());
            }
        }
        Log.debug("command " + command + ", root " + root + ", platform " + platform() + ", overlay2 " + overlay2);
        if (Log.debugEnabled()) {
            // The JVM's own command line (from /proc): shows which flags the launcher chose.
            Log.debug("jvm " + String.join(" ", ProcessHandle.current().info().arguments().orElse(new String[0])));
        }
        ignored(systemdCgroup, "--systemd-cgroup", "the sandbox uses no host cgroup of its own yet");
        ignored(rootless != null, "--rootless", "the sandbox needs no privilege to run");
        compat.logIgnored();
    }

    /** Fails unless a sandbox can run with these flags. */
    void requireRunnable() {
        Platforms.requireAvailable(platform());
        if (network == NetworkMode.HOST) {
            throw new CliException("--network=host is not available yet (use sandbox or none)");
        }
        if (network == NetworkMode.SANDBOX) {
            Log.debug("--network=sandbox: the sandbox has no network stack yet; sockets other than unix fail");
        }
    }

    static void ignored(boolean given, String flag, String why) {
        if (given) {
            Log.debug("ignoring " + flag + ": " + why);
        }
    }
}
