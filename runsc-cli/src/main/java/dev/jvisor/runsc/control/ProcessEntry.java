package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One process of the sandbox as {@code ps} shows it.
 *
 * @param startMillis when it started, in milliseconds since the epoch
 * @param cmd its argv (empty for a process that has none, e.g. one that is exiting)
 * @param cpuNanos the CPU time it has used (user plus system, not its children's), from the kernel's accounting
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProcessEntry(int pid, int ppid, int uid, long startMillis, List<String> cmd, String comm,
                           long cpuNanos) {}
