package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.jvisor.sentry.boot.SandboxStats;

/**
 * The answer to a {@link ControlRequest}: {@code {"ok":true}}, {@code {"ok":true,"exitStatus":137}} for a wait,
 * {@code {"ok":true,"stats":{...}}} for stats, or {@code {"ok":false,"error":"..."}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlResponse(boolean ok, String error, Integer exitStatus, SandboxStats stats) {
    public static final ControlResponse OK = new ControlResponse(true, null, null, null);

    public static ControlResponse exited(int status) {
        return new ControlResponse(true, null, status, null);
    }

    public static ControlResponse failed(String error) {
        return new ControlResponse(false, error, null, null);
    }

    public static ControlResponse stats(SandboxStats s) {
        return new ControlResponse(true, null, null, s);
    }
}
