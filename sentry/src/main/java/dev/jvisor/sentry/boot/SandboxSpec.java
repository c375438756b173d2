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
 * @param rootReadonly writes to the root fail with EROFS (with no overlay; with one they go to the overlay)
 * @param overlay an in-memory upper layer over the root: writes never reach the host
 * @param uid the init process's uid
 * @param gid the init process's gid
 * @param additionalGids supplementary groups
 * @param hostname the UTS hostname
 * @param limits the container's resource limits ({@link Limits#NONE} for the defaults)
 * @param mounts filesystems mounted over the root, in order
 * @param platform "ptrace" (today the only one that runs)
 * @param strace log every syscall
 * @param goferCommand the command line that starts a gofer JVM, to which the sentry appends its own arguments
 * @param terminal stdin is a host pty slave of the sandbox's own (process.terminal): the sentry emulates the
 *     workload's terminal on it (line discipline, controlling tty) and puts the host side in raw mode. Never for
 *     a user's terminal ({@code do}), which would be left raw if the sentry were killed.
 */
public record SandboxSpec(List<String> argv, List<String> env, String cwd, String rootPath, boolean rootReadonly,
                          boolean overlay, int uid, int gid, int[] additionalGids, String hostname, Limits limits,
                          List<Mount> mounts, String platform, boolean strace, List<String> goferCommand,
                          boolean terminal) {

    /** A spec without a terminal of its own: stdio is passed through. */
    public SandboxSpec(List<String> argv, List<String> env, String cwd, String rootPath, boolean rootReadonly,
                       boolean overlay, int uid, int gid, int[] additionalGids, String hostname, Limits limits,
                       List<Mount> mounts, String platform, boolean strace, List<String> goferCommand) {
        this(argv, env, cwd, rootPath, rootReadonly, overlay, uid, gid, additionalGids, hostname, limits, mounts,
                platform, strace, goferCommand, false);
    }

    /** This spec with {@link #terminal} set to {@code t}. */
    public SandboxSpec withTerminal(boolean t) {
        return new SandboxSpec(argv, env, cwd, rootPath, rootReadonly, overlay, uid, gid, additionalGids, hostname,
                limits, mounts, platform, strace, goferCommand, t);
    }

    /**
     * Resource limits the sentry enforces itself (config.json's linux.resources and process.rlimits).
     *
     * @param maxTasks most tasks alive at once (linux.resources.pids.limit); 0 for the default
     * @param memoryBytes most workload memory allocated at once (linux.resources.memory.limit); 0 for the host's RAM
     * @param rlimits the init process's rlimits, replacing the defaults for the resources they name
     */
    public record Limits(int maxTasks, long memoryBytes, List<Rlimit> rlimits) {
        public static final Limits NONE = new Limits(0, 0, List.of());

        public Limits {
            rlimits = List.copyOf(rlimits);
        }
    }

    /**
     * A filesystem mounted at {@code destination} (absolute): {@code type} "tmpfs", or "bind" for a host
     * directory or file at {@code source} (absolute) served by the gofer. A bind may be a file (Docker's
     * /etc/hosts); the destination is created when missing, as runc does.
     */
    public record Mount(String type, String destination, String source, boolean readonly, boolean nosuid,
                        boolean nodev, boolean noexec) {
        /** A mount with no source and no flags but read-only (tmpfs). */
        public Mount(String type, String destination, boolean readonly) {
            this(type, destination, null, readonly, false, false, false);
        }

        public boolean isBind() {
            return "bind".equals(type);
        }
    }

    /** One setrlimit(2) for init: a resource number (RLIMIT_*) and its soft and hard values (-1 is infinity). */
    public record Rlimit(int resource, long soft, long hard) {}
}
