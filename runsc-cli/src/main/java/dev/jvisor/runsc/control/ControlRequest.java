package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One request on a sandbox's control socket, one JSON object per connection: {@code {"type":"start"}},
 * {@code {"type":"kill","signal":15,"all":false}}, {@code {"type":"wait"}}, {@code {"type":"ps"}},
 * {@code {"type":"exec","process":{...},"stdio":[0,1,2]}} (the descriptors to become the process's fds
 * {@code stdio} come with it by SCM_RIGHTS, in that order; the connection then stays open: see
 * {@link ControlServer}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ControlRequest(String type, int signal, boolean all, ExecProcess process, int[] stdio) {
    public static final String START = "start";
    public static final String KILL = "kill";
    public static final String WAIT = "wait";
    public static final String EXEC = "exec";
    public static final String PS = "ps";

    public ControlRequest(String type, int signal, boolean all) {
        this(type, signal, all, null, null);
    }

    public static ControlRequest start() {
        return new ControlRequest(START, 0, false);
    }

    public static ControlRequest kill(int signal, boolean all) {
        return new ControlRequest(KILL, signal, all);
    }

    public static ControlRequest awaitExit() {
        return new ControlRequest(WAIT, 0, false);
    }

    public static ControlRequest exec(ExecProcess process, int[] stdio) {
        return new ControlRequest(EXEC, 0, false, process, stdio);
    }

    public static ControlRequest ps() {
        return new ControlRequest(PS, 0, false);
    }
}
