package dev.jvisor.runsc;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives bin/jrunsc as a subprocess with one state root and one --log file, the way containerd's shim does. Its
 * output goes to files, never pipes: a sandbox process inherits create's stdout and stderr and outlives it.
 * This JVM makes itself a child subreaper, as the shim is, so that a sandbox process becomes its child once
 * create exits and {@link #reap} can collect its exit status.
 */
final class Jrunsc {
    /** What one command did. */
    record Result(int status, String out, String err) {
        String[] errLines() {
            return err.isEmpty() ? new String[0] : err.strip().split("\n");
        }
    }

    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static boolean built;

    final Path root;
    final Path log;
    private final Path scratch;

    Jrunsc(Path dir) throws IOException {
        this.root = dir.resolve("root");
        this.log = dir.resolve("log.json");
        this.scratch = Files.createDirectories(dir.resolve("io"));
        ensureReady();
    }

    private static synchronized void ensureReady() throws IOException {
        if (built) {
            return;
        }
        if (Host.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
            throw new IllegalStateException("cannot become a child subreaper");
        }
        // bin/jrunsc builds itself on first use and says so on stderr: keep that out of the tests' output.
        Result r = run(List.of(bin().toString(), "--version"), null, null, null, 600);
        if (r.status() != 0) {
            throw new AssertionError("bin/jrunsc --version failed: " + r.err());
        }
        built = true;
    }

    static Path bin() {
        String repo = System.getProperty("jvisor.repo");
        if (repo != null && !repo.isEmpty() && Files.isExecutable(Path.of(repo, "bin", "jrunsc"))) {
            return Path.of(repo, "bin", "jrunsc");
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("bin/jrunsc"))) {
                return d.resolve("bin/jrunsc");
            }
        }
        throw new AssertionError("no bin/jrunsc under jvisor.repo or above " + Path.of("").toAbsolutePath());
    }

    /** Runs {@code jrunsc --root R --log L --log-format json ARGS...} with stdin from /dev/null. */
    Result cmd(String... args) throws IOException {
        return cmdWithStdio(null, null, args);
    }

    /**
     * Like {@link #cmd}, with stdin from {@code stdin} and stdout into {@code stdout} and stderr into
     * {@code stdout + ".err"} (when not null): the files a created sandbox's workload reads and writes.
     */
    Result cmdWithStdio(Path stdin, Path stdout, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(bin().toString(), "--root", root.toString(), "--log",
                log.toString(), "--log-format", "json"));
        cmd.addAll(Arrays.asList(args));
        return run(cmd, stdin, stdout, 120);
    }

    private Result run(List<String> cmd, Path stdin, Path stdout, int timeoutSeconds) throws IOException {
        return run(cmd, stdin, scratch, stdout, timeoutSeconds);
    }

    private static Result run(List<String> cmd, Path stdin, Path scratch, Path into, int timeoutSeconds)
            throws IOException {
        Path dir = scratch != null ? scratch : Files.createTempDirectory("jrunsc-io");
        Path out = into != null ? into : Files.createTempFile(dir, "out", "");
        Path err = into != null ? into.resolveSibling(into.getFileName() + ".err")
                : Files.createTempFile(dir, "err", "");
        Process p = new ProcessBuilder(cmd)
                .redirectInput(stdin != null ? stdin.toFile() : new File("/dev/null"))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
        if (into == null) {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
        if (scratch == null) {
            Files.deleteIfExists(dir);
        }
        return r;
    }

    /** Waits for the sandbox process {@code pid} (our child since create exited) and returns its shell status. */
    static int reap(long pid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(JAVA_INT);
            int r;
            do {
                r = Host.wait4((int) pid, st, 0);
            } while (r == Errno.EINTR.ret());
            if (r < 0) {
                throw new AssertionError("wait4(" + pid + "): " + Errno.name(-r));
            }
            int s = st.get(JAVA_INT, 0);
            return (s & 0x7f) != 0 ? 128 + (s & 0x7f) : (s >> 8) & 0xff;
        }
    }

    /** A bundle whose rootfs holds busybox as /bin/busybox and /bin/sh, running {@code args}. */
    static Path bundle(Path dir, String... args) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("sh"));
        StringBuilder argv = new StringBuilder();
        for (String a : args) {
            argv.append(argv.isEmpty() ? "" : ",").append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        Files.writeString(dir.resolve("config.json"), """
                {"ociVersion": "1.0.2",
                 "process": {"args": [%s], "env": ["PATH=/bin"], "cwd": "/"},
                 "root": {"path": "rootfs"},
                 "annotations": {"io.example/owner": "lifecycle-test"}}
                """.formatted(argv));
        return dir;
    }
}
