package dev.jvisor.runsc.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Facts about a host process read from /proc. A PID alone does not name a process for long: the sandbox may be
 * gone and its PID reused, so a container's process is "ours" only when its start time matches the one
 * recorded at create.
 */
public final class HostProcess {
    private HostProcess() {}

    /** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or -1 when it is gone. */
    public static long startTime(long pid) {
        String[] f = statFields(pid);
        return f == null ? -1 : Long.parseLong(f[19]);
    }

    /** Whether {@code pid} is the process that started at {@code startTime} and has not exited (a zombie has). */
    public static boolean alive(long pid, long startTime) {
        if (pid <= 0) {
            return false;
        }
        String[] f = statFields(pid);
        if (f == null) {
            return false;
        }
        String state = f[0];
        return !state.equals("Z") && !state.equals("X") && Long.parseLong(f[19]) == startTime;
    }

    /** The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses): state first. */
    private static String[] statFields(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
        int close = stat.lastIndexOf(')');
        return close < 0 ? null : stat.substring(close + 2).strip().split(" ");
    }
}
