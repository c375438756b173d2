package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.jvisor.sentry.boot.SandboxStats;

/**
 * The answer to a {@link ControlRequest}: {@code {"ok":true}}, {@code {"ok":true,"exitStatus":137}} for a wait,
 * {@code {"ok":true,"pid":5}} for an exec, {@code {"ok":true,"processes":[...]}} for ps,
 * {@code {"ok":true,"stats":{...}}} for stats, or
 * {@code {"ok":false,"error":"..."}} (with the exit status a shell would give, for an exec that cannot start).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlResponse(boolean ok, String error, Integer exitStatus, Integer pid,
                              java.util.List<ProcessEntry> processes, SandboxStats stats) {
    public static final ControlResponse OK = new ControlResponse(true, null, null);

    public ControlResponse(boolean ok, String error, Integer exitStatus) {
        this(ok, error, exitStatus, null, null, null);
    }

    public static ControlResponse exited(int status) {
        return new ControlResponse(true, null, status);
    }

    public static ControlResponse failed(String error) {
        return new ControlResponse(false, error, null);
    }

    public static ControlResponse stats(SandboxStats s) {
        return new ControlResponse(true, null, null, null, null, s);
    }

    public static ControlResponse failed(String error, int exitStatus) {
        return new ControlResponse(false, error, exitStatus);
    }

    public static ControlResponse started(int pid) {
        return new ControlResponse(true, null, null, pid, null, null);
    }

    public static ControlResponse processes(java.util.List<ProcessEntry> processes) {
        return new ControlResponse(true, null, null, null, processes, null);
    }
}
