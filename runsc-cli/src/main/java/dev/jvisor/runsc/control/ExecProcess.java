package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The process an {@code exec} request starts, resolved by the CLI from the OCI process spec: argv, environment,
 * working directory, credentials, umask (null: 022) and the rlimits that replace init's. {@code terminal}: the
 * one stdio fd sent is a host pty slave, over which the sentry emulates the process's terminal (null: plain stdio).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecProcess(List<String> args, List<String> env, String cwd, int uid, int gid, int[] additionalGids,
                          Integer umask, List<Rlimit> rlimits, Boolean terminal) {
    /** setrlimit(2) of {@code resource} (RLIMIT_*); -1 is infinity. */
    public record Rlimit(int resource, long soft, long hard) {}
}
