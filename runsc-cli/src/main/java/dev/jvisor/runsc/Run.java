package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.oci.Bundle;
import dev.jvisor.runsc.oci.BundleConfigException;
import dev.jvisor.runsc.oci.OciSpec;
import dev.jvisor.runsc.oci.ResourceLimits;
import dev.jvisor.sentry.boot.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc run --bundle DIR ID}: creates and runs a container in the foreground. This process becomes the
 * sandbox (the sentry), so its PID goes in --pid-file and its exit status is the container's; the container is
 * registered under --root while it runs ({@link RunRegistration}). With --detach it is create then start.
 */
@Command(name = "run", sortOptions = false, description = "Create and run a container in the foreground.")
final class Run extends BaseCommand {
    @Mixin
    BundleOption bundle;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "File to write the sandbox's PID to.")
    Path pidFile;

    @Option(names = {"-d", "--detach"}, arity = "0..1", paramLabel = "BOOL",
            description = "Run in the background, as create then start: this command returns at once.")
    boolean detach;

    @Option(names = "--console-socket", paramLabel = "PATH",
            description = "With --detach: Unix socket that receives the terminal's master fd (process.terminal).")
    String consoleSocket;

    @Mixin
    RuncCompatOptions compat;

    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() {
        compat.logIgnored();
        Container.checkId(id);
        globals().requireRunnable();
        Bundle b = bundle.load();
        if (detach) {
            Create.create(globals(), b, id, pidFile, consoleSocket);
            Start.start(globals().rootPath(), id);
            return OK;
        }
        if (consoleSocket != null) {
            throw new CliException("--console-socket needs --detach (a foreground run uses this terminal)");
        }
        SandboxSpec spec = spec(b, id, globals());
        if (pidFile != null) {
            writePidFile(pidFile, ProcessHandle.current().pid());
        }
        return runInForeground(spec, new RunRegistration(globals().rootPath(), id, b, globals().platform()));
    }

    /** Maps a bundle's config.json onto what the sentry needs. */
    static SandboxSpec spec(Bundle b, String id, GlobalOptions g) {
        OciSpec c = b.config();
        OciSpec.Process p = c.process();
        OciSpec.User u = p.user() != null ? p.user() : new OciSpec.User(null, null, null, null);
        int[] groups = u.additionalGids() == null ? new int[0]
                : u.additionalGids().stream().mapToInt(Integer::intValue).toArray();
        List<SandboxSpec.Mount> mounts = mounts(c, b.dir());
        SandboxSpec.Limits limits;
        try {
            limits = ResourceLimits.of(b.dir().resolve(Bundle.CONFIG).toString(), c);
        } catch (BundleConfigException e) {
            throw new CliException(e.getMessage()); // Bundle.load validated them already
        }
        return new SandboxSpec(List.copyOf(p.args()), p.env() == null ? List.of() : List.copyOf(p.env()), p.cwd(),
                b.rootfs().toString(), c.root().readonly(), g.overlay2().rootInMemory(), u.uid(), u.gid(), groups,
                c.hostname() != null ? c.hostname() : id, limits, mounts, g.platform(), g.strace(), GoferCommand.of(g));
    }

    /**
     * The config's mounts the sentry makes: tmpfs anywhere but under /dev, /proc and /sys, which the sentry
     * provides itself (its dev, proc and sys stand for the usual /dev tmpfs, devpts, mqueue, proc, sysfs and
     * cgroup mounts), and bind mounts of host directories and files (type "bind", or "bind"/"rbind" among the
     * options) anywhere but /, /proc and /sys, served by the gofer. Other types are listed in the debug log.
     */
    static List<SandboxSpec.Mount> mounts(OciSpec c, Path bundleDir) {
        List<SandboxSpec.Mount> out = new java.util.ArrayList<>();
        List<String> skipped = new java.util.ArrayList<>();
        for (OciSpec.Mount m : c.mounts() == null ? List.<OciSpec.Mount>of() : c.mounts()) {
            String dest = m.destination() == null ? "" : Path.of("/").resolve(m.destination()).normalize().toString();
            List<String> opts = m.options() == null ? List.of() : m.options();
            boolean ro = opts.lastIndexOf("ro") > opts.lastIndexOf("rw");
            if (Bundle.isBind(m) && !dest.equals("/") && !dest.equals("/proc") && !dest.startsWith("/proc/")
                    && !dest.equals("/sys") && !dest.startsWith("/sys/")) {
                out.add(new SandboxSpec.Mount("bind", dest, Bundle.bindSource(m, bundleDir).toString(), ro,
                        opts.contains("nosuid"), opts.contains("nodev"), opts.contains("noexec")));
            } else if ("tmpfs".equals(m.type()) && !sentryOwned(dest)) {
                out.add(new SandboxSpec.Mount("tmpfs", dest, null, ro, opts.contains("nosuid"),
                        opts.contains("nodev"), opts.contains("noexec")));
            } else {
                skipped.add(m.type() + " at " + dest);
            }
        }
        if (!skipped.isEmpty()) {
            Log.debug("mounts not applied (the sentry provides /dev, /proc and /sys): " + skipped);
        }
        return out;
    }

    private static boolean sentryOwned(String dest) {
        for (String own : List.of("/dev", "/proc", "/sys")) {
            if (dest.equals(own) || dest.startsWith(own + "/")) {
                return true;
            }
        }
        return dest.equals("/");
    }

    /** Writes the PID as runc does (decimal, no newline), atomically so a reader never sees a partial file. */
    static void writePidFile(Path file, long pid) {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(pid));
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliException("--pid-file " + file + ": " + CliException.reason(e));
        }
    }
}
