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
    /**
     * What /proc knows of one process.
     *
     * @param startNanos when the process was created ({@link System#nanoTime()}), kept across execve
     */
    public record Process(Task leader, String exe, List<String> argv, long startNanos) {}

    private final ConcurrentSkipListMap<Integer, Process> byPid = new ConcurrentSkipListMap<>();

    /** Adds (or after execve, replaces) the process of {@code leader}. */
    public void put(Task leader, String exe, List<String> argv) {
        List<String> args = List.copyOf(argv);
        byPid.compute(leader.pid(), (pid, old) -> new Process(leader, exe, args,
                old != null && old.leader().threadGroup() == leader.threadGroup() ? old.startNanos()
                        : System.nanoTime()));
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
