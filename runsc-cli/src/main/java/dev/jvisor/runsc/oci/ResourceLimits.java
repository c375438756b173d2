package dev.jvisor.runsc.oci;

import dev.jvisor.sentry.boot.SandboxSpec;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Maps config.json's process.rlimits and linux.resources (pids.limit, memory.limit) onto the limits the sentry
 * enforces itself. Invalid values fail here, one line naming the field, before a sandbox starts.
 */
public final class ResourceLimits {
    private ResourceLimits() {}

    /** The RLIMIT_* names in the order of their numbers in {@code <sys/resource.h>}. */
    private static final List<String> RLIMIT_NAMES = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA",
            "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK",
            "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO",
            "RLIMIT_RTTIME");
    private static final int RLIMIT_NOFILE = RLIMIT_NAMES.indexOf("RLIMIT_NOFILE");
    /** Linux's default fs.nr_open: setrlimit(RLIMIT_NOFILE) above it fails with EPERM. */
    private static final long NR_OPEN = 1L << 20;
    /** RLIM_INFINITY, 2^64-1, which is -1 as a Java long. */
    private static final BigInteger RLIM_INFINITY = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** More tasks than Linux's PID_MAX_LIMIT can never exist: a bigger pids.limit is no limit. */
    private static final int PID_MAX_LIMIT = 4_194_304;

    /** The limits {@code spec} asks for; {@code name} names the file in messages. */
    public static SandboxSpec.Limits of(String name, OciSpec spec) throws BundleConfigException {
        return new SandboxSpec.Limits(maxTasks(spec), memoryBytes(name, spec), rlimits(name, spec.process()));
    }

    private static int maxTasks(OciSpec spec) {
        Long limit = spec.linux() == null || spec.linux().resources() == null
                || spec.linux().resources().pids() == null ? null : spec.linux().resources().pids().limit();
        if (limit == null || limit <= 0) {
            return 0; // the runtime spec: zero or less is unlimited
        }
        return (int) Math.min(limit, PID_MAX_LIMIT);
    }

    private static long memoryBytes(String name, OciSpec spec) throws BundleConfigException {
        Long limit = spec.linux() == null || spec.linux().resources() == null
                || spec.linux().resources().memory() == null ? null : spec.linux().resources().memory().limit();
        if (limit == null || limit == 0 || limit == -1) {
            return 0; // unset (0, as runc reads it) or unlimited (-1)
        }
        if (limit < 0) {
            throw new BundleConfigException(name + ": linux.resources.memory.limit: " + limit
                    + " is neither a byte count nor -1");
        }
        return limit;
    }

    /** {@code p.rlimits}, checked; {@code name} names the file in messages. */
    public static List<SandboxSpec.Rlimit> rlimits(String name, OciSpec.Process p) throws BundleConfigException {
        if (p == null || p.rlimits() == null) {
            return List.of();
        }
        List<SandboxSpec.Rlimit> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < p.rlimits().size(); i++) {
            OciSpec.Rlimit r = p.rlimits().get(i);
            String field = name + ": process.rlimits[" + i + "]";
            if (r.type() == null) {
                throw new BundleConfigException(field + ".type: required");
            }
            int resource = RLIMIT_NAMES.indexOf(r.type());
            if (resource < 0) {
                throw new BundleConfigException(field + ".type: unknown rlimit " + r.type());
            }
            if (!seen.add(r.type())) {
                throw new BundleConfigException(field + ".type: " + r.type() + " given twice");
            }
            long soft = value(field + ".soft", r.soft());
            long hard = value(field + ".hard", r.hard());
            if (Long.compareUnsigned(soft, hard) > 0) {
                throw new BundleConfigException(field + ": " + r.type() + " soft limit " + r.soft()
                        + " is above the hard limit " + r.hard());
            }
            if (resource == RLIMIT_NOFILE && Long.compareUnsigned(hard, NR_OPEN) > 0) {
                throw new BundleConfigException(field + ".hard: RLIMIT_NOFILE above " + NR_OPEN + " (nr_open)");
            }
            out.add(new SandboxSpec.Rlimit(resource, soft, hard));
        }
        return out;
    }

    private static long value(String field, BigInteger v) throws BundleConfigException {
        if (v == null) {
            throw new BundleConfigException(field + ": required");
        }
        if (v.signum() < 0 || v.compareTo(RLIM_INFINITY) > 0) {
            throw new BundleConfigException(field + ": " + v + " is out of range (0 to 2^64-1)");
        }
        return v.longValue(); // 2^64-1 becomes -1, RLIM_INFINITY
    }
}
