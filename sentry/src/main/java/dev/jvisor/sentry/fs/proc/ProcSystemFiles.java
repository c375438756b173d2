package dev.jvisor.sentry.fs.proc;

import dev.jvisor.sentry.kernel.Rlimits;

/**
 * The texts of /proc/meminfo, /proc/stat, /proc/loadavg and /proc/[pid]/limits, from the sandbox's own figures.
 * The sentry keeps no CPU-time, load or page-cache accounting: those figures are 0, as gVisor shows them.
 */
final class ProcSystemFiles {
    private ProcSystemFiles() {}

    private static final String[] MEMINFO_ZERO = {"Buffers", "Cached", "SwapCached", "Active", "Inactive",
        "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal",
        "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem"};

    /** /proc/meminfo: the memory file's cap is the total, what it has not handed out is free and available. */
    static String meminfo(long totalBytes, long allocatedBytes) {
        long free = Math.max(0, totalBytes - allocatedBytes);
        StringBuilder sb = new StringBuilder(1024);
        meminfoLine(sb, "MemTotal", totalBytes);
        meminfoLine(sb, "MemFree", free);
        meminfoLine(sb, "MemAvailable", free);
        for (String k : MEMINFO_ZERO) {
            meminfoLine(sb, k, 0);
        }
        return sb.toString();
    }

    private static void meminfoLine(StringBuilder sb, String key, long bytes) {
        sb.append(String.format("%-16s%8d kB\n", key + ":", bytes / 1024));
    }

    /**
     * /proc/stat: an all-zero time line for the machine and for each CPU, then btime (the boot's wall-clock
     * second) and the running and blocked counts (the reader runs; blocking is not tracked). No "processes" line:
     * forks are not counted.
     */
    static String stat(int cpus, long bootEpochSeconds) {
        StringBuilder sb = new StringBuilder(128 + 32 * cpus);
        sb.append("cpu  0 0 0 0 0 0 0 0 0 0\n");
        for (int i = 0; i < cpus; i++) {
            sb.append("cpu").append(i).append(" 0 0 0 0 0 0 0 0 0 0\n");
        }
        sb.append("intr 0\nctxt 0\n");
        sb.append("btime ").append(bootEpochSeconds).append('\n');
        sb.append("procs_running 1\nprocs_blocked 0\n");
        return sb.toString();
    }

    /** /proc/loadavg: no load is tracked; the reader is the one running task; the newest PID shown last. */
    static String loadavg(int tasks, int lastPid) {
        return "0.00 0.00 0.00 1/" + tasks + " " + lastPid + "\n";
    }

    private static final String[][] LIMITS = {
        {"Max cpu time", "seconds"}, {"Max file size", "bytes"}, {"Max data size", "bytes"},
        {"Max stack size", "bytes"}, {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
        {"Max processes", "processes"}, {"Max open files", "files"}, {"Max locked memory", "bytes"},
        {"Max address space", "bytes"}, {"Max file locks", "locks"}, {"Max pending signals", "signals"},
        {"Max msgqueue size", "bytes"}, {"Max nice priority", ""}, {"Max realtime priority", ""},
        {"Max realtime timeout", "us"}};

    /** /proc/[pid]/limits: one row per resource in RLIMIT order, in the kernel's column widths. */
    static String limits(Rlimits r) {
        StringBuilder sb = new StringBuilder(1400);
        sb.append(String.format("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units"));
        for (int i = 0; i < Rlimits.NLIMITS; i++) {
            sb.append(String.format("%-25s %-20s %-20s ", LIMITS[i][0], limit(r.soft(i)), limit(r.hard(i))));
            sb.append(LIMITS[i][1].isEmpty() ? "\n" : String.format("%-10s\n", LIMITS[i][1]));
        }
        return sb.toString();
    }

    private static String limit(long v) {
        return v == Rlimits.INFINITY ? "unlimited" : Long.toUnsignedString(v);
    }
}
