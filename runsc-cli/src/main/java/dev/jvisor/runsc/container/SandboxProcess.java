package dev.jvisor.runsc.container;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * The detached sandbox process that {@code create} starts: the sentry JVM ({@code jrunsc boot}). It is started
 * with posix_spawn through FFM, not ProcessBuilder, because it must inherit the caller's fds 0, 1 and 2 as they
 * are (containerd's pipes, which the workload writes into), get the readiness pipe at fd {@link #READY_FD}, and
 * outlive the short-lived {@code create} without a JDK reaper thread waiting on it: once {@code create} exits,
 * the sandbox is reparented to the caller's subreaper (containerd's shim), which reaps its exit status.
 *
 * <p>The sentry reports on the readiness pipe with one JSON line, {@link Ready}: its init is loaded and its
 * control socket listens, or why it failed.
 */
public final class SandboxProcess {
    private SandboxProcess() {}

    /** The fd at which the sandbox process finds the write end of the readiness pipe. */
    public static final int READY_FD = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The readiness line: {@code {"ok":true,"goferPid":N}}, or {@code {"ok":false,"error":"...","exitStatus":127}}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ready(boolean ok, String error, Integer exitStatus, Integer goferPid) {}

    /** A started sandbox process that reported ready. */
    public record Started(int pid, long startTime, int goferPid) {}

    /**
     * Spawns {@code argv} in a session of its own with the caller's stdio, waits for its readiness line and
     * returns it. On failure, reaps the process and throws with the sentry's message.
     *
     * @throws SandboxStartException with the message and exit status the sentry reported
     */
    public static Started spawn(List<String> argv, Map<String, String> env) {
        return spawn(argv, env, -1);
    }

    /** Like {@link #spawn(List, Map)}, with {@code stdio} (a terminal's slave) as fds 0, 1 and 2 when not -1. */
    public static Started spawn(List<String> argv, Map<String, String> env, int stdio) {
        int readRead;
        int readyWrite;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            check(Host.pipe2(fds, Fcntl.O_CLOEXEC), "pipe2");
            readRead = fds.getAtIndex(JAVA_INT, 0);
            readyWrite = fds.getAtIndex(JAVA_INT, 1);
        }
        int pid;
        try {
            pid = posixSpawn(argv, env, readyWrite, stdio);
        } catch (RuntimeException e) {
            Host.close(readRead);
            throw e;
        } finally {
            Host.close(readyWrite);
        }
        long startTime = HostProcess.startTime(pid);
        Ready ready;
        try {
            ready = readReady(readRead, START_TIMEOUT_MILLIS);
        } finally {
            Host.close(readRead);
        }
        if (ready == TIMED_OUT) {
            Host.kill(pid, dev.jvisor.abi.Signals.SIGKILL);
            reap(pid);
            throw new SandboxStartException("the sandbox did not start within " + START_TIMEOUT_MILLIS / 1000
                    + " s (see --debug-log)", 1);
        }
        if (ready != null && ready.ok()) {
            return new Started(pid, startTime, ready.goferPid() == null ? 0 : ready.goferPid());
        }
        int status = reap(pid);
        if (ready != null) {
            throw new SandboxStartException(ready.error(), ready.exitStatus() != null ? ready.exitStatus() : status);
        }
        throw new SandboxStartException("the sandbox exited during start-up with status " + status
                + " (see --debug-log)", status == 0 ? 1 : status);
    }

    /**
     * Writes the readiness line on {@link #READY_FD} and closes it; the sandbox process calls this once. Returns
     * false when nobody reads it any more: {@code create} was killed, and no state will name this sandbox.
     */
    public static boolean report(Ready ready) {
        byte[] line;
        try {
            line = (JSON.writeValueAsString(ready) + "\n").getBytes();
        } catch (IOException e) {
            throw new IllegalStateException("a record of strings and numbers always serializes", e);
        }
        boolean delivered = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(line.length);
            buf.copyFrom(MemorySegment.ofArray(line));
            long off = 0;
            while (off < line.length) {
                long n = Host.write(READY_FD, buf.address() + off, line.length - off);
                if (n == Errno.EINTR.ret() || n == 0) {
                    continue;
                }
                if (n < 0) {
                    delivered = false; // EPIPE: create is gone
                    break;
                }
                off += n;
            }
        }
        Host.close(READY_FD);
        return delivered;
    }

    /** How long create waits for the sandbox to report: a sentry that hangs must not hang its caller. */
    static final long START_TIMEOUT_MILLIS = 120_000;

    private static final Ready TIMED_OUT = new Ready(false, "timed out", null, null);

    private static Ready readReady(int fd, long timeoutMillis) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            MemorySegment pfd = a.allocate(8);
            MemorySegment ts = a.allocate(16);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return TIMED_OUT;
                }
                pfd.set(JAVA_INT, 0, fd);
                pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, (short) 1); // POLLIN
                pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 6, (short) 0);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, left / 1_000_000_000);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, left % 1_000_000_000);
                int p = Host.ppoll(pfd, 1, ts);
                if (p == 0 || p == Errno.EINTR.ret()) {
                    continue;
                }
                long n = Host.read(fd, buf.address(), buf.byteSize());
                if (n == Errno.EINTR.ret()) {
                    continue;
                }
                if (n <= 0) {
                    break;
                }
                line.write(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, (int) n);
            }
        }
        if (line.size() == 0) {
            return null;
        }
        try {
            return JSON.readValue(line.toByteArray(), Ready.class);
        } catch (IOException e) {
            return new Ready(false, "unreadable readiness report from the sandbox: " + line, null, null);
        }
    }

    /** Waits for {@code pid} and returns its status as a shell reports it. */
    public static int reap(int pid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(JAVA_INT);
            int r;
            do {
                r = Host.wait4(pid, st, 0);
            } while (r == Errno.EINTR.ret());
            if (r < 0) {
                return 1;
            }
            int s = st.get(JAVA_INT, 0);
            return (s & 0x7f) != 0 ? 128 + (s & 0x7f) : (s >> 8) & 0xff;
        }
    }

    private static int posixSpawn(List<String> argv, Map<String, String> env, int readyWrite, int stdio) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(Host.SPAWN_FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = a.allocate(Host.SPAWN_ATTR_SIZE, 16);
            check(Host.posixSpawnFileActionsInit(fa), "posix_spawn_file_actions_init");
            check(Host.posixSpawnattrInit(attr), "posix_spawnattr_init");
            try {
                // fds 0-2 are inherited untouched, the workload's stdio, unless a terminal replaces them.
                for (int fd = 0; stdio >= 0 && fd <= 2; fd++) {
                    check(Host.posixSpawnFileActionsAdddup2(fa, stdio, fd), "adddup2 stdio");
                }
                check(Host.posixSpawnFileActionsAdddup2(fa, readyWrite, READY_FD), "adddup2");
                check(Host.posixSpawnFileActionsAddclosefromNp(fa, READY_FD + 1), "addclosefrom_np");
                MemorySegment none = a.allocate(Host.SIGSET_SIZE);
                MemorySegment all = a.allocate(Host.SIGSET_SIZE).fill((byte) 0xff);
                check(Host.posixSpawnattrSetsigmask(attr, none), "setsigmask");
                check(Host.posixSpawnattrSetsigdefault(attr, all), "setsigdefault");
                // A session of its own: the caller's terminal signals and its process group's never reach it.
                check(Host.posixSpawnattrSetflags(attr, (short) (Host.POSIX_SPAWN_SETSIGMASK
                        | Host.POSIX_SPAWN_SETSIGDEF | Host.POSIX_SPAWN_SETSID)), "setflags");
                MemorySegment args = strings(a, argv);
                MemorySegment envp = strings(a, env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
                MemorySegment pid = a.allocate(JAVA_INT);
                check(Host.posixSpawn(pid, args.getAtIndex(ADDRESS, 0), fa, attr, args, envp),
                        "posix_spawn " + argv.get(0));
                return pid.get(JAVA_INT, 0);
            } finally {
                Host.posixSpawnFileActionsDestroy(fa);
                Host.posixSpawnattrDestroy(attr);
            }
        }
    }

    private static MemorySegment strings(Arena a, List<String> list) {
        MemorySegment p = a.allocate(ADDRESS, list.size() + 1);
        for (int i = 0; i < list.size(); i++) {
            p.setAtIndex(ADDRESS, i, a.allocateFrom(list.get(i)));
        }
        p.setAtIndex(ADDRESS, list.size(), MemorySegment.NULL);
        return p;
    }

    private static void check(int r, String what) {
        if (r < 0) {
            throw new ContainerException("cannot start the sandbox: " + what + ": " + Errno.name(-r));
        }
    }

    /** The sandbox could not start; carries the exit status that the sentry chose (127 for a missing binary). */
    public static final class SandboxStartException extends ContainerException {
        private static final long serialVersionUID = 1L;

        private final int exitStatus;

        SandboxStartException(String message, int exitStatus) {
            super(message);
            this.exitStatus = exitStatus;
        }

        public int exitStatus() {
            return exitStatus;
        }
    }
}
