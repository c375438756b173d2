package dev.jvisor.runsc.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * A container's state.json: the OCI state as {@code runc state} prints it (ociVersion, id, pid, status, bundle,
 * rootfs, created, owner, annotations), then jVisor's own fields.
 *
 * @param pid the sandbox (sentry) process's host PID; the OCI state shows 0 once stopped
 * @param created when create began, RFC 3339 with nanoseconds in UTC
 * @param owner the owner as runc prints it: empty for a container created by root, as here
 * @param platform the sentry's platform (ptrace, ...)
 * @param sandboxStartTime the sandbox process's start time (field 22 of /proc/PID/stat), which tells it from a
 *     later process that reuses the PID
 * @param goferPid the host PID of the sandbox's gofer
 */
@JsonPropertyOrder({"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner", "annotations",
        "platform", "sandboxStartTime", "goferPid"})
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerState(String ociVersion, String id, long pid, Status status, String bundle, String rootfs,
                             String created, String owner,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> annotations,
                             String platform, long sandboxStartTime, long goferPid) {
    /** The OCI runtime-spec version this state follows. */
    public static final String OCI_VERSION = "1.0.2";

    public ContainerState {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** This state with another status; a stopped container has no PID, as runc shows it. */
    public ContainerState withStatus(Status s) {
        return new ContainerState(ociVersion, id, s == Status.STOPPED ? 0 : pid, s, bundle, rootfs, created, owner,
                annotations, platform, sandboxStartTime, goferPid);
    }
}
