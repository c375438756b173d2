package dev.jvisor.sentry.boot;

import java.util.List;

/**
 * Everything the sentry needs to boot a sandbox and run its init process. Built by the CLI from a bundle's
 * config.json ({@code run}) or from the caller's environment ({@code do}); the kernel never sees JSON.
 *
 * @param argv the init process's argv; argv[0] is resolved against PATH from {@code env} when it has no '/'
 * @param env the environment, "NAME=value" strings
 * @param cwd the working directory inside the sandbox (absolute)
 * @param rootPath the host directory served as "/" by the gofer
 * @param rootReadonly writes to the root fail with EROFS (with no overlay)
 * @param overlay an in-memory upper layer over the root: writes never reach the host
 * @param uid the init process's uid
 * @param gid the init process's gid
 * @param additionalGids supplementary groups
 * @param hostname the UTS hostname
 * @param platform "ptrace" (today the only one that runs)
 * @param strace log every syscall
 * @param goferCommand the command line that starts a gofer JVM, to which the sentry appends its own arguments
 */
public record SandboxSpec(List<String> argv, List<String> env, String cwd, String rootPath, boolean rootReadonly,
                          boolean overlay, int uid, int gid, int[] additionalGids, String hostname, String platform,
                          boolean strace, List<String> goferCommand) {
}
