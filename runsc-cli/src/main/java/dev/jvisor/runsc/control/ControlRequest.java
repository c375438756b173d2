package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One request on a sandbox's control socket, one JSON object per connection: {@code {"type":"start"}},
 * {@code {"type":"kill","signal":15,"all":false}}, {@code {"type":"wait"}}, {@code {"type":"pause"}},
 * {@code {"type":"resume"}}, {@code {"type":"stats"}}, {@code {"type":"update","limits":{"pids":64}}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ControlRequest(String type, int signal, boolean all, Limits limits) {
    public static final String START = "start";
    public static final String KILL = "kill";
    public static final String WAIT = "wait";
    public static final String PAUSE = "pause";
    public static final String RESUME = "resume";
    public static final String STATS = "stats";
    public static final String UPDATE = "update";

    /**
     * New values for the limits the sentry enforces; null leaves one as it is.
     *
     * @param pids most tasks (0 or less: no limit but the default cap)
     * @param memory most bytes of workload memory (0 or -1: no limit but the host's RAM)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Limits(Long pids, Long memory) {}

    public static ControlRequest start() {
        return new ControlRequest(START, 0, false, null);
    }

    public static ControlRequest kill(int signal, boolean all) {
        return new ControlRequest(KILL, signal, all, null);
    }

    public static ControlRequest awaitExit() {
        return new ControlRequest(WAIT, 0, false, null);
    }

    public static ControlRequest pause() {
        return new ControlRequest(PAUSE, 0, false, null);
    }

    public static ControlRequest resume() {
        return new ControlRequest(RESUME, 0, false, null);
    }

    public static ControlRequest stats() {
        return new ControlRequest(STATS, 0, false, null);
    }

    public static ControlRequest update(Limits limits) {
        return new ControlRequest(UPDATE, 0, false, limits);
    }
}
