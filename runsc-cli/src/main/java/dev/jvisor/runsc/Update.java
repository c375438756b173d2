package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlClient;
import dev.jvisor.runsc.control.ControlRequest;
import dev.jvisor.runsc.oci.BundleConfigException;
import dev.jvisor.runsc.oci.ConfigReader;
import dev.jvisor.runsc.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc update [--resources FILE|-] [--memory SIZE] [--pids-limit N] ID}: changes a container's
 * resource limits live, as runc's update does. The sentry enforces pids.limit (most tasks) and memory.limit
 * (most workload memory) itself, so those two take effect at once; the rest (CPU, block I/O, hugepages, devices,
 * runc's other flags) would need host cgroups: accepted, checked and logged at debug level. The flags override
 * the JSON.
 */
@Command(name = "update", sortOptions = false, description = "Update a container's resource limits.")
final class Update extends BaseCommand {
    @Option(names = {"-r", "--resources"}, paramLabel = "FILE",
            description = "linux.resources as JSON, from FILE or '-' for stdin.")
    String resources;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Memory limit (bytes, or 512k, 64m, 1g; -1: none).")
    String memory;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Most tasks at once (0 or less: no limit).")
    Long pidsLimit;

    @Option(names = {"--blkio-weight", "--cpu-period", "--cpu-quota", "--cpu-share", "--cpu-rt-period",
            "--cpu-rt-runtime", "--cpuset-cpus", "--cpuset-mems", "--kernel-memory", "--kernel-memory-tcp",
            "--memory-reservation", "--memory-swap", "--l3-cache-schema", "--mem-bw-schema"},
            paramLabel = "VALUE", hidden = true, description = "Accepted and logged: they need host cgroups.")
    List<String> notEnforced = new ArrayList<>();

    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected int execute() {
        Long pids = null;
        Long mem = null;
        if (resources != null) {
            OciSpec.Resources r = read(resources);
            pids = r.pids() == null ? null : r.pids().limit();
            mem = r.memory() == null ? null : r.memory().limit();
        }
        if (memory != null) {
            mem = size("--memory", memory);
        }
        if (pidsLimit != null) {
            pids = pidsLimit;
        }
        if (!notEnforced.isEmpty()) {
            Log.debug("update " + id + ": not enforced (they need host cgroups): " + notEnforced);
        }
        try (Container c = Container.open(globals().rootPath(), id)) {
            ContainerState s = c.state();
            if (s.status() == Status.STOPPED) {
                throw new CliException("container " + id + " is not running");
            }
            if (pids == null && mem == null) {
                Log.debug("update " + id + ": no limit the sentry enforces changes");
                return OK;
            }
            ControlClient.call(c.controlSocket(), ControlRequest.update(new ControlRequest.Limits(pids, mem)));
        }
        return OK;
    }

    private static OciSpec.Resources read(String from) {
        byte[] json;
        try {
            json = from.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(from));
        } catch (IOException e) {
            throw new CliException("--resources " + from + ": " + CliException.reason(e));
        }
        try {
            return ConfigReader.parseResources(from.equals("-") ? "resources (stdin)" : from, json);
        } catch (BundleConfigException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?");

    /** A size as runc's flags take it (docker's RAMInBytes: 1024-based k, m, g, t, p suffixes), or -1. */
    static long size(String flag, String v) {
        if (v.equals("-1")) {
            return -1;
        }
        Matcher m = SIZE.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CliException("invalid " + flag + " '" + v + "': a size such as 1048576, 512k, 64m or 1g");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
        if (bytes >= 0x1p63) {
            throw new CliException("invalid " + flag + " '" + v + "': too large");
        }
        return (long) bytes;
    }
}
