package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One request on a sandbox's control socket, one JSON object per connection: {@code {"type":"start"}},
 * {@code {"type":"kill","signal":15,"all":false}}, {@code {"type":"wait"}}, {@code {"type":"ps"}},
 * {@code {"type":"pause"}}, {@code {"type":"resume"}}, {@code {"type":"stats"}},
 * {@code {"type":"update","limits":{"pids":64}}},
 * {@code {"type":"exec","process":{...},"stdio":[0,1,2]}} (the descriptors to become the process's fds
 * {@code stdio} come with it by SCM_RIGHTS, in that order; the connection then stays open: see
 * {@link ControlServer}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ControlRequest(String type, int signal, boolean all, Limits limits, ExecProcess process, int[] stdio) {
    public static final String START = "start";
    public static final String KILL = "kill";
    public static final String WAIT = "wait";
    public static final String PAUSE = "pause";
    public static final String RESUME = "resume";
    public static final String STATS = "stats";
    public static final String UPDATE = "update";
    public static final String EXEC = "exec";
    public static final String PS = "ps";

    public ControlRequest(String type, int signal, boolean all) {
        this(type, signal, all, null, null, null);
    }

    /**
     * New values for the limits the sentry enforces; null leaves one as it is.
     *
     * @param pids most tasks (0 or less: no limit but the default cap)
     * @param memory most bytes of workload memory (0 or -1: no limit but the host's RAM)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Limits(Long pids, Long memory) {}

    public static ControlRequest start() {
        return new ControlRequest(START, 0, false);
    }

    public static ControlRequest kill(int signal, boolean all) {
        return new ControlRequest(KILL, signal, all);
    }

    public static ControlRequest awaitExit() {
        return new ControlRequest(WAIT, 0, false);
    }

    public static ControlRequest pause() {
        return new ControlRequest(PAUSE, 0, false);
    }

    public static ControlRequest resume() {
        return new ControlRequest(RESUME, 0, false);
    }

    public static ControlRequest stats() {
        return new ControlRequest(STATS, 0, false);
    }

    public static ControlRequest update(Limits limits) {
        return new ControlRequest(UPDATE, 0, false, limits, null, null);
    }

    public static ControlRequest exec(ExecProcess process, int[] stdio) {
        return new ControlRequest(EXEC, 0, false, null, process, stdio);
    }

    public static ControlRequest ps() {
        return new ControlRequest(PS, 0, false);
    }
}
