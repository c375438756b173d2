package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.SysInfo;
import dev.jvisor.abi.Uts;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Rlimits;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.MemoryManager;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Process lifetime, identity, limits and system information syscalls. */
final class ProcessSyscalls {
    private ProcessSyscalls() {}

    /** What uname(2) reports besides {@link Kernel#UTS_RELEASE} and the hostname. */
    static final String SYSNAME = "Linux", MACHINE = "x86_64", DOMAINNAME = "(none)";

    /** sizeof(struct robust_list_head). */
    private static final long ROBUST_LIST_HEAD_SIZE = 24;

    /** Number of CPUs the sandbox shows: the host's (not the JVM's count: task threads are pinned to one CPU). */
    private static final int NCPU = dev.jvisor.sentry.fs.proc.HostCpuInfo.host().count();

    private static final int GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

    /** Linux caps a single read-like transfer at MAX_RW_COUNT (INT_MAX rounded down to a page). */
    static final long MAX_RW_COUNT = 0x7ffff000L;

    /** Implements exit(2): only the calling thread ends; the process ends with its last thread. */
    static long exit(Task t, SyscallArguments a) {
        t.exit((a.i(0) & 0xff) << 8);
        return 0;
    }

    /** Implements exit_group(2): every thread of the process ends. */
    static long exitGroup(Task t, SyscallArguments a) {
        int status = (a.i(0) & 0xff) << 8;
        t.threadGroup().beginExit(status);
        t.exit(status);
        return 0;
    }

    /** Implements getpid(2). */
    static long getpid(Task t, SyscallArguments a) {
        return t.pid();
    }

    /** Implements getppid(2): 0 for the sandbox's init, whose parent is outside its PID namespace. */
    static long getppid(Task t, SyscallArguments a) {
        return t.threadGroup().ppid();
    }

    /** Implements gettid(2). */
    static long gettid(Task t, SyscallArguments a) {
        return t.tid();
    }

    /** Implements set_tid_address(2). */
    static long setTidAddress(Task t, SyscallArguments a) {
        t.clearChildTid(a.a0);
        return t.tid();
    }

    /** Implements set_robust_list(2): recorded for the futex cleanup at thread exit. */
    static long setRobustList(Task t, SyscallArguments a) {
        if (a.a1 != ROBUST_LIST_HEAD_SIZE) {
            return Errno.EINVAL.ret();
        }
        t.robustList(a.a0, a.a1);
        return 0;
    }

    /** Implements prlimit64(2) for the calling process (or pid 0). */
    static long prlimit64(Task t, SyscallArguments a) {
        if (a.i(0) != 0 && a.i(0) != t.pid()) {
            return a.i(0) < 0 ? Errno.EINVAL.ret() : Errno.ESRCH.ret();
        }
        return rlimit(t, a.i(1), a.a2, a.a3);
    }

    /** Implements getrlimit(2): unlike prlimit64, the old limit is always copied out, so NULL is EFAULT. */
    static long getrlimit(Task t, SyscallArguments a) {
        if (a.i(0) < 0 || a.i(0) >= Rlimits.NLIMITS) {
            return Errno.EINVAL.ret();
        }
        if (a.a1 == 0) {
            return Errno.EFAULT.ret();
        }
        return rlimit(t, a.i(0), 0, a.a1);
    }

    /** Implements setrlimit(2): the new limit is always read, so NULL is EFAULT. */
    static long setrlimit(Task t, SyscallArguments a) {
        if (a.i(0) < 0 || a.i(0) >= Rlimits.NLIMITS) {
            return Errno.EINVAL.ret();
        }
        if (a.a1 == 0) {
            return Errno.EFAULT.ret();
        }
        return rlimit(t, a.i(0), a.a1, 0);
    }

    /** The shared core of the rlimit calls: read the new limit first, then report the old one. */
    private static long rlimit(Task t, int resource, long newAddr, long oldAddr) {
        if (resource < 0 || resource >= Rlimits.NLIMITS) {
            return Errno.EINVAL.ret();
        }
        MemoryManager mm = t.mm();
        Rlimits rl = t.threadGroup().rlimits();
        long newSoft = 0, newHard = 0;
        if (newAddr != 0) {
            newSoft = mm.readLong(newAddr);
            newHard = mm.readLong(newAddr + 8);
            if (Long.compareUnsigned(newSoft, newHard) > 0) {
                return Errno.EINVAL.ret();
            }
            if (resource == Rlimits.NOFILE && Long.compareUnsigned(newHard, 1L << 20) > 0) {
                return Errno.EPERM.ret(); // above fs.nr_open
            }
            if (Long.compareUnsigned(newHard, rl.hard(resource)) > 0 && !t.creds().privileged()) {
                return Errno.EPERM.ret();
            }
        }
        if (oldAddr != 0) {
            MemorySegment s = t.scratch();
            s.set(JAVA_LONG, 0, rl.soft(resource));
            s.set(JAVA_LONG, 8, rl.hard(resource));
            mm.copyOut(oldAddr, s, 16);
        }
        if (newAddr != 0) {
            rl.set(resource, newSoft, newHard);
        }
        return 0;
    }

    /** Implements uname(2). */
    static long uname(Task t, SyscallArguments a) {
        MemorySegment s = t.scratch().asSlice(0, Uts.SIZE);
        s.fill((byte) 0);
        putField(s, Uts.SYSNAME, SYSNAME);
        putField(s, Uts.NODENAME, t.kernel().hostname());
        putField(s, Uts.RELEASE, Kernel.UTS_RELEASE);
        putField(s, Uts.VERSION, Kernel.UTS_VERSION);
        putField(s, Uts.MACHINE, MACHINE);
        putField(s, Uts.DOMAINNAME, DOMAINNAME);
        t.mm().copyOut(a.a0, s, Uts.SIZE);
        return 0;
    }

    private static void putField(MemorySegment s, int off, String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, s, JAVA_BYTE, off, Math.min(b.length, Uts.FIELD_LEN - 1));
    }

    /** Implements sysinfo(2): memory figures describe the sandbox's memory file, not the host. */
    static long sysinfo(Task t, SyscallArguments a) {
        MemorySegment s = t.scratch().asSlice(0, SysInfo.SIZE);
        s.fill((byte) 0);
        s.set(JAVA_LONG, SysInfo.UPTIME, t.kernel().uptimeNanos() / 1_000_000_000L);
        long total = t.kernel().memoryFile().limit();
        long used = t.kernel().memoryFile().allocated();
        s.set(JAVA_LONG, SysInfo.TOTALRAM, total);
        s.set(JAVA_LONG, SysInfo.FREERAM, Math.max(0, total - used));
        s.set(JAVA_SHORT, SysInfo.PROCS, (short) Math.min(t.kernel().pids().liveTasks(), 0xffff)); // nr_threads
        s.set(JAVA_INT, SysInfo.MEM_UNIT, 1);
        t.mm().copyOut(a.a0, s, SysInfo.SIZE);
        return 0;
    }

    // ---- credentials: see credentials(7); the sandbox's root may change IDs freely ----

    /** Implements getuid(2). */
    static long getuid(Task t, SyscallArguments a) { return t.creds().uid; }

    /** Implements geteuid(2). */
    static long geteuid(Task t, SyscallArguments a) { return t.creds().euid; }

    /** Implements getgid(2). */
    static long getgid(Task t, SyscallArguments a) { return t.creds().gid; }

    /** Implements getegid(2). */
    static long getegid(Task t, SyscallArguments a) { return t.creds().egid; }

    /** Implements getresuid(2). */
    static long getresuid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        return putIds(t, a, c.uid, c.euid, c.suid);
    }

    /** Implements getresgid(2). */
    static long getresgid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        return putIds(t, a, c.gid, c.egid, c.sgid);
    }

    private static long putIds(Task t, SyscallArguments a, int r, int e, int s) {
        MemoryManager mm = t.mm();
        mm.writeInt(a.a0, r);
        mm.writeInt(a.a1, e);
        mm.writeInt(a.a2, s);
        return 0;
    }

    /** Implements setuid(2). */
    static long setuid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        int uid = a.i(0);
        if (uid == -1) {
            return Errno.EINVAL.ret();
        }
        if (c.privileged()) {
            c.uid = c.euid = c.suid = c.fsuid = uid;
        } else if (uid == c.uid || uid == c.suid) {
            c.euid = c.fsuid = uid;
        } else {
            return Errno.EPERM.ret();
        }
        return 0;
    }

    /** Implements setgid(2). */
    static long setgid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        int gid = a.i(0);
        if (gid == -1) {
            return Errno.EINVAL.ret();
        }
        if (c.privileged()) {
            c.gid = c.egid = c.sgid = c.fsgid = gid;
        } else if (gid == c.gid || gid == c.sgid) {
            c.egid = c.fsgid = gid;
        } else {
            return Errno.EPERM.ret();
        }
        return 0;
    }

    /** Implements setreuid(2). */
    static long setreuid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        int r = a.i(0), e = a.i(1);
        boolean priv = c.privileged();
        if (r != -1 && !priv && r != c.uid && r != c.euid) {
            return Errno.EPERM.ret();
        }
        if (e != -1 && !priv && e != c.uid && e != c.euid && e != c.suid) {
            return Errno.EPERM.ret();
        }
        int oldRuid = c.uid;
        if (r != -1) {
            c.uid = r;
        }
        if (e != -1) {
            c.euid = c.fsuid = e;
        }
        // The saved ID follows the effective one when the real ID changes or the effective ID leaves the old real.
        if (r != -1 || (e != -1 && e != oldRuid)) {
            c.suid = c.euid;
        }
        return 0;
    }

    /** Implements setregid(2). */
    static long setregid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        int r = a.i(0), e = a.i(1);
        boolean priv = c.privileged();
        if (r != -1 && !priv && r != c.gid && r != c.egid) {
            return Errno.EPERM.ret();
        }
        if (e != -1 && !priv && e != c.gid && e != c.egid && e != c.sgid) {
            return Errno.EPERM.ret();
        }
        int oldRgid = c.gid;
        if (r != -1) {
            c.gid = r;
        }
        if (e != -1) {
            c.egid = c.fsgid = e;
        }
        if (r != -1 || (e != -1 && e != oldRgid)) {
            c.sgid = c.egid;
        }
        return 0;
    }

    /** Implements setresuid(2). */
    static long setresuid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        int r = a.i(0), e = a.i(1), s = a.i(2);
        if (!c.privileged()) {
            for (int id : new int[] {r, e, s}) {
                if (id != -1 && id != c.uid && id != c.euid && id != c.suid) {
                    return Errno.EPERM.ret();
                }
            }
        }
        if (r != -1) {
            c.uid = r;
        }
        if (e != -1) {
            c.euid = c.fsuid = e;
        }
        if (s != -1) {
            c.suid = s;
        }
        return 0;
    }

    /** Implements setresgid(2). */
    static long setresgid(Task t, SyscallArguments a) {
        Credentials c = t.creds();
        int r = a.i(0), e = a.i(1), s = a.i(2);
        if (!c.privileged()) {
            for (int id : new int[] {r, e, s}) {
                if (id != -1 && id != c.gid && id != c.egid && id != c.sgid) {
                    return Errno.EPERM.ret();
                }
            }
        }
        if (r != -1) {
            c.gid = r;
        }
        if (e != -1) {
            c.egid = c.fsgid = e;
        }
        if (s != -1) {
            c.sgid = s;
        }
        return 0;
    }

    /** NGROUPS_MAX. */
    private static final int NGROUPS_MAX = 65536;

    /** Implements getgroups(2). */
    static long getgroups(Task t, SyscallArguments a) {
        int size = a.i(0);
        int[] groups = t.creds().groups;
        if (size < 0) {
            return Errno.EINVAL.ret();
        }
        if (size == 0) {
            return groups.length;
        }
        if (size < groups.length) {
            return Errno.EINVAL.ret();
        }
        for (int i = 0; i < groups.length; i++) {
            t.mm().writeInt(a.a1 + 4L * i, groups[i]);
        }
        return groups.length;
    }

    /** Implements setgroups(2). */
    static long setgroups(Task t, SyscallArguments a) {
        int size = a.i(0);
        if (size < 0 || size > NGROUPS_MAX) {
            return Errno.EINVAL.ret();
        }
        if (!t.creds().privileged()) {
            return Errno.EPERM.ret();
        }
        int[] groups = new int[size];
        for (int i = 0; i < size; i++) {
            groups[i] = t.mm().readInt(a.a1 + 4L * i);
        }
        t.creds().groups = groups;
        return 0;
    }

    /** Implements sched_getaffinity(2): every CPU the sandbox shows. */
    static long schedGetaffinity(Task t, SyscallArguments a) {
        if (a.i(0) != 0 && a.i(0) != t.tid()) {
            return a.i(0) < 0 ? Errno.EINVAL.ret() : Errno.ESRCH.ret();
        }
        long len = a.a1;
        // The kernel copies cpumask_size() bytes (nr_cpu_ids rounded up to longs) and needs room for them.
        long maskBytes = ((NCPU + 63) / 64) * 8L;
        if (Long.compareUnsigned(len, maskBytes) < 0 || (len & 7) != 0) {
            return Errno.EINVAL.ret();
        }
        MemorySegment s = t.scratch().asSlice(0, maskBytes);
        s.fill((byte) 0);
        for (int cpu = 0; cpu < NCPU; cpu++) {
            long w = s.get(JAVA_LONG, (cpu / 64) * 8L);
            s.set(JAVA_LONG, (cpu / 64) * 8L, w | (1L << (cpu % 64)));
        }
        t.mm().copyOut(a.a2, s, maskBytes);
        return maskBytes;
    }

    /** Implements sched_yield(2). */
    static long schedYield(Task t, SyscallArguments a) {
        Thread.yield();
        return 0;
    }

    /** Implements getrandom(2): filled by the host's getrandom straight into workload memory. */
    static long getrandom(Task t, SyscallArguments a) {
        int flags = a.i(2);
        if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
                || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) {
            return Errno.EINVAL.ret();
        }
        long len = Long.compareUnsigned(a.a1, MAX_RW_COUNT) > 0 ? MAX_RW_COUNT : a.a1;
        if (len == 0) {
            return 0;
        }
        return t.mm().io(a.a0, len, true, seg -> Host.getrandom(seg.address(), seg.byteSize(), GRND_INSECURE));
    }

    private static final int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
            PR_GET_KEEPCAPS = 7, PR_SET_KEEPCAPS = 8, PR_SET_NAME = 15, PR_GET_NAME = 16, PR_CAPBSET_READ = 23,
            PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37, PR_SET_NO_NEW_PRIVS = 38,
            PR_GET_NO_NEW_PRIVS = 39;

    /** TASK_COMM_LEN: the name buffer of PR_SET_NAME/PR_GET_NAME, NUL included. */
    private static final int COMM_LEN = 16;

    /** Implements prctl(2) for the options listed in the syscall table; others return EINVAL as Linux does. */
    static long prctl(Task t, SyscallArguments a) {
        Task.Prctl p = t.prctlState();
        switch (a.i(0)) {
            case PR_SET_NAME -> {
                byte[] b = t.mm().readBytesUntilNul(a.a1, COMM_LEN - 1);
                t.comm(new String(b, StandardCharsets.UTF_8));
                return 0;
            }
            case PR_GET_NAME -> {
                MemorySegment s = t.scratch().asSlice(0, COMM_LEN);
                s.fill((byte) 0);
                byte[] b = t.comm().getBytes(StandardCharsets.UTF_8);
                MemorySegment.copy(b, 0, s, JAVA_BYTE, 0, Math.min(b.length, COMM_LEN - 1));
                t.mm().copyOut(a.a1, s, COMM_LEN);
                return 0;
            }
            case PR_SET_PDEATHSIG -> {
                if (a.a1 < 0 || a.a1 > dev.jvisor.abi.Signals.NSIG) {
                    return Errno.EINVAL.ret();
                }
                p.pdeathsig = (int) a.a1;
                return 0;
            }
            case PR_GET_PDEATHSIG -> {
                t.mm().writeInt(a.a1, p.pdeathsig);
                return 0;
            }
            case PR_GET_DUMPABLE -> {
                return p.dumpable;
            }
            case PR_SET_DUMPABLE -> {
                if (a.a1 != 0 && a.a1 != 1) {
                    return Errno.EINVAL.ret();
                }
                p.dumpable = (int) a.a1;
                return 0;
            }
            case PR_GET_KEEPCAPS -> {
                return p.keepCaps ? 1 : 0;
            }
            case PR_SET_KEEPCAPS -> {
                if (a.a1 != 0 && a.a1 != 1) {
                    return Errno.EINVAL.ret();
                }
                p.keepCaps = a.a1 == 1;
                return 0;
            }
            case PR_CAPBSET_READ -> {
                // Every capability up to CAP_LAST_CAP (40) is in the sandbox root's bounding set.
                return a.a1 >= 0 && a.a1 <= 40 ? 1 : Errno.EINVAL.ret();
            }
            case PR_SET_CHILD_SUBREAPER -> {
                p.childSubreaper = a.a1 != 0;
                return 0;
            }
            case PR_GET_CHILD_SUBREAPER -> {
                t.mm().writeInt(a.a1, p.childSubreaper ? 1 : 0);
                return 0;
            }
            case PR_SET_NO_NEW_PRIVS -> {
                if (a.a1 != 1 || a.a2 != 0 || a.a3 != 0 || a.a4 != 0) {
                    return Errno.EINVAL.ret();
                }
                p.noNewPrivs = true;
                return 0;
            }
            case PR_GET_NO_NEW_PRIVS -> {
                if (a.a1 != 0 || a.a2 != 0 || a.a3 != 0 || a.a4 != 0) {
                    return Errno.EINVAL.ret();
                }
                return p.noNewPrivs ? 1 : 0;
            }
            default -> {
                return Errno.EINVAL.ret();
            }
        }
    }
}
