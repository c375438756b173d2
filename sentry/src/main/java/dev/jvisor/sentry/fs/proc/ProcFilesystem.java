package dev.jvisor.sentry.fs.proc;

import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.vfs.Dentry;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Mount;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.nio.charset.StandardCharsets;

/**
 * The sandbox's /proc, built from the sentry's own state (never the host's): self, the per-process
 * directories of {@link #processes()}, mounts, uptime, version, cpuinfo, meminfo, stat and loadavg.
 */
public final class ProcFilesystem extends Filesystem {
    private final VirtualFilesystem vfs;
    private final ProcessTable processes = new ProcessTable();
    private final long bootNanos = System.nanoTime();
    private final long bootEpochSeconds = System.currentTimeMillis() / 1000;
    private final HostCpuInfo cpus = HostCpuInfo.host();
    private final Dentry root;
    private volatile String release = "4.4.0";
    private volatile String version = "#1 SMP Sun Jan 10 15:06:54 PST 2016";

    public ProcFilesystem(VirtualFilesystem vfs) {
        this.vfs = vfs;
        this.root = Dentry.root(new ProcRootDirectory(this));
    }

    @Override
    public String type() {
        return "proc";
    }

    @Override
    public Dentry root() {
        return root;
    }

    /** The processes shown; the kernel keeps it current. */
    public ProcessTable processes() {
        return processes;
    }

    /** When this /proc was made: the sandbox's boot, from which stat's start times count. */
    long bootNanos() {
        return bootNanos;
    }

    VirtualFilesystem vfs() {
        return vfs;
    }

    /** Sets what /proc/version reports, to agree with uname(2). */
    public void kernelVersion(String newRelease, String newVersion) {
        release = newRelease;
        version = newVersion;
    }

    byte[] versionText() {
        return ("Linux version " + release + " (jvisor@jvisor) " + version + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Seconds since this /proc was made (the sandbox's boot) and idle time, which is not tracked: 0. */
    byte[] uptimeText() {
        long cs = (System.nanoTime() - bootNanos) / 10_000_000L;
        return String.format("%d.%02d 0.00\n", cs / 100, cs % 100).getBytes(StandardCharsets.US_ASCII);
    }

    byte[] cpuinfoText() {
        return cpus.text().getBytes(StandardCharsets.US_ASCII);
    }

    /** The memory file's figures, as sysinfo(2) reports them (zero outside a task: tests). */
    byte[] meminfoText() {
        Task t = Task.current();
        MemoryFile f = t == null ? null : t.kernel().memoryFile();
        return ProcSystemFiles.meminfo(f == null ? 0 : f.limit(), f == null ? 0 : f.allocated())
                .getBytes(StandardCharsets.US_ASCII);
    }

    byte[] statText() {
        return ProcSystemFiles.stat(cpus.count(), bootEpochSeconds).getBytes(StandardCharsets.US_ASCII);
    }

    /** Load averages (not tracked) and task counts; the last PID is the highest one shown (an approximation). */
    byte[] loadavgText() {
        Task t = Task.current();
        int tasks = t == null ? 0 : t.kernel().pids().liveTasks();
        int[] pids = processes.pids();
        return ProcSystemFiles.loadavg(tasks, pids.length == 0 ? 0 : pids[pids.length - 1])
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The mount table in /proc/mounts format, paths as seen from the sandbox's root. */
    byte[] mountsText() {
        StringBuilder sb = new StringBuilder();
        for (Mount m : vfs.mounts()) {
            String at = m.parent() == null ? "/"
                    : vfs.pathname(new dev.jvisor.sentry.vfs.VirtualDentry(m.parent(), m.mountpoint()), vfs.root());
            sb.append(m.source()).append(' ').append(at).append(' ').append(m.filesystem().type()).append(' ')
                    .append(m.options()).append(" 0 0\n");
        }
        return sb.toString().getBytes(VirtualFilesystem.NAME_CHARSET);
    }
}
