package dev.jvisor.sentry.boot;

import java.util.List;

/**
 * A process to start in a running sandbox ({@code jrunsc exec}), from an OCI process spec.
 *
 * @param argv its argv; argv[0] is resolved against PATH from {@code env} when it has no '/'
 * @param env the environment, "NAME=value" strings
 * @param cwd the working directory inside the sandbox (absolute)
 * @param uid its uid
 * @param gid its gid
 * @param additionalGids supplementary groups
 * @param umask its file mode creation mask
 * @param rlimits resource limits that replace init's (which it gets for the rest)
 * @param stdio host fds handed to the sentry for fds 0, 1 and 2 (-1 for none); the new process owns them
 * @param terminal whether {@code stdio[0]} is a host pty slave to emulate a terminal over ({@code exec -t}): the
 *     process then gets that terminal, a new /dev/pts/N, as fds 0-2 and as its session's controlling terminal
 */
public record ExecSpec(List<String> argv, List<String> env, String cwd, int uid, int gid, int[] additionalGids,
                       int umask, List<SandboxSpec.Rlimit> rlimits, int[] stdio, boolean terminal) {
    public ExecSpec {
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        rlimits = List.copyOf(rlimits);
    }
}
