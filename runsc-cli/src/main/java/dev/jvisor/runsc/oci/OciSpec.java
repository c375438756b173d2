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

    /**
     * linux.resources (also what {@code update --resources} reads): the sentry enforces pids.limit and
     * memory.limit itself; the rest would need host cgroups and is type-checked, then logged as not applied
     * ({@link Unenforced}).
     */
    public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids, BlockIO blockIO,
                            List<HugepageLimit> hugepageLimits, Network network, Map<String, Map<String, Long>> rdma,
                            Map<String, String> unified) {}

    /** A limit of 0 or less means none. */
    public record Pids(Long limit) {}

    /** memory.limit in bytes; -1 means none. The others are not enforced. */
    public record Memory(Long limit, Long reservation, Long swap, Long kernel, Long kernelTCP, Long swappiness,
                         Boolean disableOOMKiller, Boolean useHierarchy, Boolean checkBeforeUpdate) {}

    /** Not enforced: the sentry's tasks share the sandbox process's CPU. */
    public record Cpu(Long shares, Long quota, Long burst, Long period, Long realtimeRuntime, Long realtimePeriod,
                      String cpus, String mems, Long idle) {}

    /** Not enforced: block I/O happens on the host, through the gofer. */
    public record BlockIO(Integer weight, Integer leafWeight, List<Map<String, Long>> weightDevice,
                          List<Map<String, Long>> throttleReadBpsDevice, List<Map<String, Long>> throttleWriteBpsDevice,
                          List<Map<String, Long>> throttleReadIOPSDevice,
                          List<Map<String, Long>> throttleWriteIOPSDevice) {}

    public record HugepageLimit(String pageSize, Long limit) {}

    public record Network(Long classID, List<Map<String, Object>> priorities) {}

    /** A device cgroup rule; the sentry's /dev has only its own devices, whatever the rules say. */
    public record DeviceRule(Boolean allow, String type, Long major, Long minor, String access) {}

    public record Namespace(String type, String path) {}
}
