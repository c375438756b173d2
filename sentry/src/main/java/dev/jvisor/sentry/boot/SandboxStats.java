package dev.jvisor.sentry.boot;

/**
 * A sandbox's resource usage at one moment, for {@code jrunsc events}.
 *
 * @param userNanos user CPU time the workload has used so far, from the kernel's per-process accounting
 *     ({@code PidNamespace.cpuTotals}: every process in the sandbox with the children it reaped, and the exec'd
 *     processes that ended)
 * @param sysNanos system CPU time, the same way: the sentry's time emulating the workload's syscalls
 * @param memoryBytes workload memory allocated from the memory file now
 * @param memoryLimit the memory file's cap (linux.resources.memory.limit, or the host's RAM)
 * @param tasks live tasks (threads), as a pids cgroup counts them
 * @param maxTasks the task cap (linux.resources.pids.limit, or the default)
 */
public record SandboxStats(long userNanos, long sysNanos, long memoryBytes, long memoryLimit, int tasks,
                           int maxTasks) {
    /** User plus system time. */
    public long cpuNanos() {
        return userNanos + sysNanos;
    }
}
