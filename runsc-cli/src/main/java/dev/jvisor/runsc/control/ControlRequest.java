package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One request on a sandbox's control socket, one JSON object per connection: {@code {"type":"start"}},
 * {@code {"type":"kill","signal":15,"all":false}}, {@code {"type":"wait"}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ControlRequest(String type, int signal, boolean all) {
    public static final String START = "start";
    public static final String KILL = "kill";
    public static final String WAIT = "wait";

    public static ControlRequest start() {
        return new ControlRequest(START, 0, false);
    }

    public static ControlRequest kill(int signal, boolean all) {
        return new ControlRequest(KILL, signal, all);
    }

    public static ControlRequest awaitExit() {
        return new ControlRequest(WAIT, 0, false);
    }
}
