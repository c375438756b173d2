package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPUs the sandbox shows: the host's, as its /proc/cpuinfo lists them, read once when the sentry starts (one
 * of its own start-up files; never again, and never on a workload's behalf). Later reads of the JVM's processor
 * count would be wrong: the ptrace platform pins each task thread to one CPU.
 */
public final class HostCpuInfo {
    private static final HostCpuInfo HOST = read(Path.of("/proc/cpuinfo"));

    private final List<String> entries;

    HostCpuInfo(List<String> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The host's, read at the first call (ProcFilesystem's construction, at start-up). */
    public static HostCpuInfo host() {
        return HOST;
    }

    /** How many CPUs the sandbox shows (at least 1). */
    public int count() {
        return entries.size();
    }

    /** /proc/cpuinfo: the processor entries, each ending with a blank line as Linux's do. */
    String text() {
        StringBuilder sb = new StringBuilder();
        for (String e : entries) {
            sb.append(e).append("\n\n");
        }
        return sb.toString();
    }

    /** The entries of a cpuinfo text (blank-line separated); without a "processor" line, a bare one per CPU. */
    static HostCpuInfo parse(String text, int fallbackCount) {
        List<String> entries = new ArrayList<>();
        for (String block : text.split("\n\\s*\n")) {
            String b = block.strip();
            if (b.startsWith("processor")) {
                entries.add(b);
            }
        }
        if (entries.isEmpty()) {
            for (int i = 0; i < Math.max(1, fallbackCount); i++) {
                entries.add("processor\t: " + i);
            }
        }
        return new HostCpuInfo(entries);
    }

    private static HostCpuInfo read(Path p) {
        // Start-up runs on an unpinned thread, so the JVM's count is the fallback when the file is unreadable.
        int fallback = Runtime.getRuntime().availableProcessors();
        try {
            return parse(Files.readString(p), fallback);
        } catch (IOException | RuntimeException e) {
            Log.debug("proc: cannot read " + p + " (" + e + "); showing " + fallback + " bare CPUs");
            return parse("", fallback);
        }
    }
}
