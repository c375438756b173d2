package dev.jvisor.sentry.boot;

/**
 * A sandbox's resource usage at one moment, for {@code jrunsc events}.
 *
 * @param cpuNanos CPU time used so far: the sandbox (sentry) process's, as the host accounts it (the sentry
 *     runs every syscall; the stubs' user time is not included)
 * @param memoryBytes workload memory allocated from the memory file now
 * @param memoryLimit the memory file's cap (linux.resources.memory.limit, or the host's RAM)
 * @param tasks live tasks (threads), as a pids cgroup counts them
 * @param maxTasks the task cap (linux.resources.pids.limit, or the default)
 */
public record SandboxStats(long cpuNanos, long memoryBytes, long memoryLimit, int tasks, int maxTasks) {}
