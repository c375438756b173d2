package dev.jvisor.runsc.oci;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The parts of an OCI runtime spec (a bundle's config.json) that jrunsc reads. The spec says a runtime must
 * ignore properties it does not know, so the reader skips them; the fields declared here are type-checked.
 * Absent objects and lists are null, absent flags false and absent ids 0 (Jackson passes null for a missing
 * property, so scalars are boxed and defaulted in the compact constructors); {@link ConfigReader} validates
 * what a sandbox needs.
 */
public record OciSpec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
                      Map<String, String> annotations, Linux linux) {

    /** The container's init process. */
    public record Process(Boolean terminal, ConsoleSize consoleSize, User user, List<String> args,
                          List<String> env, String cwd, Capabilities capabilities, List<Rlimit> rlimits,
                          Boolean noNewPrivileges, Integer oomScoreAdj) {
        public Process {
            terminal = Boolean.TRUE.equals(terminal);
            noNewPrivileges = Boolean.TRUE.equals(noNewPrivileges);
        }
    }

    public record ConsoleSize(Integer height, Integer width) {}

    /** Numeric identity; uid and gid default to 0 (root) as with runc. */
    public record User(Integer uid, Integer gid, Integer umask, List<Integer> additionalGids) {
        public User {
            uid = uid == null ? 0 : uid;
            gid = gid == null ? 0 : gid;
        }
    }

    public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
                               List<String> permitted, List<String> ambient) {}

    /** A resource limit; values are uint64 (RLIM_INFINITY is 2^64-1). */
    public record Rlimit(String type, BigInteger hard, BigInteger soft) {}

    /** The root filesystem: a path, absolute or relative to the bundle. */
    public record Root(String path, Boolean readonly) {
        public Root {
            readonly = Boolean.TRUE.equals(readonly);
        }
    }

    public record Mount(String destination, String type, String source, List<String> options) {}

    /** The Linux section, as far as jrunsc looks at it. */
    public record Linux(List<Namespace> namespaces, String cgroupsPath, List<String> maskedPaths,
                        List<String> readonlyPaths, Resources resources) {}

    /** linux.resources: the sentry enforces pids.limit and memory.limit itself; the rest is for host cgroups. */
    public record Resources(Pids pids, Memory memory) {}

    /** A limit of 0 or less means none. */
    public record Pids(Long limit) {}

    /** memory.limit in bytes; -1 means none. */
    public record Memory(Long limit) {}

    public record Namespace(String type, String path) {}
}
