package dev.jvisor.sentry.fs.proc;

import dev.jvisor.sentry.kernel.Task;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The processes /proc shows, by PID. The kernel adds a process when its leader task starts, updates it at
 * each execve (the executable's path and argv, which /proc/pid/exe and cmdline show) and removes it when it
 * is reaped. Thread-safe.
 */
public final class ProcessTable {
    /** What /proc knows of one process. */
    public record Process(Task leader, String exe, List<String> argv) {}

    private final ConcurrentSkipListMap<Integer, Process> byPid = new ConcurrentSkipListMap<>();

    /** Adds (or after execve, replaces) the process of {@code leader}. */
    public void put(Task leader, String exe, List<String> argv) {
        byPid.put(leader.pid(), new Process(leader, exe, List.copyOf(argv)));
    }

    public void remove(int pid) {
        byPid.remove(pid);
    }

    /** The process {@code pid}, or null. */
    public Process find(int pid) {
        return byPid.get(pid);
    }

    /** Every PID, ascending. */
    public int[] pids() {
        return byPid.keySet().stream().mapToInt(Integer::intValue).toArray();
    }
}
