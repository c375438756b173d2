package dev.jvisor.sentry.fs.sys;

import dev.jvisor.sentry.fs.proc.HostCpuInfo;
import dev.jvisor.sentry.fs.tmpfs.TmpfsDirectory;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SyntheticFile;
import java.nio.charset.StandardCharsets;

/**
 * A minimal, read-only /sys: just /sys/devices/system/cpu/{online,possible}, which glibc's get_nprocs(3) and
 * sysconf(_SC_NPROCESSORS_*) read. The CPUs are the ones /proc/cpuinfo shows (the host's, read at start-up: the JVM's
 * count, read later on a pinned task thread, would be 1).
 */
public final class SysFilesystem extends TmpfsFilesystem {
    public SysFilesystem() {
        super("sysfs", 0555, 0, 0);
        TmpfsDirectory root = rootDirectory();
        Inode devices = root.mkdir("devices", 0755, 0, 0);
        Inode system = devices.mkdir("system", 0755, 0, 0);
        TmpfsDirectory cpu = (TmpfsDirectory) system.mkdir("cpu", 0755, 0, 0);
        cpu.add("online", new SyntheticFile(this, 0444, SysFilesystem::cpuRange));
        cpu.add("possible", new SyntheticFile(this, 0444, SysFilesystem::cpuRange));
    }

    @Override
    public boolean readonly() {
        return true;
    }

    /** "0-N\n" for N+1 CPUs, or "0\n" for one, in the kernel's cpulist format. */
    static byte[] cpuRange() {
        int n = HostCpuInfo.host().count();
        String s = n <= 1 ? "0\n" : "0-" + (n - 1) + "\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
