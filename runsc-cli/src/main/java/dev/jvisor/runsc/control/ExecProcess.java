package dev.jvisor.runsc.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The process an {@code exec} request starts, resolved by the CLI from the OCI process spec: argv, environment,
 * working directory and credentials.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecProcess(List<String> args, List<String> env, String cwd, int uid, int gid, int[] additionalGids) {}
