package dev.jvisor.runsc.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How the tests reach the sandbox: {@code bin/jrunsc do CMD...} as a subprocess, and the switches that skip it. */
final class Sandbox {
    /** {@code -Djvisor.guest.nativeOnly=true}: run only the native side (twice, to check determinism). */
    static final boolean NATIVE_ONLY = Boolean.getBoolean("jvisor.guest.nativeOnly");

    private Sandbox() {}

    /** Guards the one-time build: bin/jrunsc builds on first use and says so on stderr. */
    private static boolean built;

    /**
     * Makes sure bin/jrunsc is built before the first comparison, so its "building..." progress lines never
     * land in a sandbox run's stderr.
     */
    private static synchronized void ensureBuilt() throws IOException, InterruptedException {
        if (built) {
            return;
        }
        Outcome o = Subprocess.run(List.of(jrunsc().toString(), "--version"), Path.of("").toAbsolutePath(), BUILD_TIMEOUT);
        if (o.status() != 0) {
            throw new AssertionError("bin/jrunsc --version failed (exit " + o.status() + "):\n" + o.stderr());
        }
        built = true;
    }

    /** A build from scratch takes a minute or two on this machine class. */
    private static final java.time.Duration BUILD_TIMEOUT = java.time.Duration.ofMinutes(10);

    /** Runs {@code bin/jrunsc args...} in {@code cwd}. */
    static Outcome jrunsc(Path cwd, List<String> args) throws IOException, InterruptedException {
        ensureBuilt();
        List<String> cmd = new ArrayList<>();
        cmd.add(jrunsc().toString());
        cmd.addAll(platformOption());
        cmd.addAll(args);
        return Subprocess.run(cmd, cwd, Subprocess.TIMEOUT);
    }

    /** Runs {@code argv} in a sandbox with cwd {@code cwd}: {@code bin/jrunsc do argv...}. */
    static Outcome run(Path cwd, List<String> argv) throws IOException, InterruptedException {
        ensureBuilt();
        List<String> cmd = new ArrayList<>();
        cmd.add(jrunsc().toString());
        cmd.addAll(platformOption());
        cmd.add("do");
        cmd.addAll(argv);
        return Subprocess.run(cmd, cwd, Subprocess.TIMEOUT);
    }

    /**
     * {@code --platform=X} when the system property {@code jvisor.platform} (or the environment variable
     * {@code JVISOR_PLATFORM}) names a platform, so the differential suites run on any platform
     * ({@code mvn test -Djvisor.platform=systrap}); empty otherwise (jrunsc's default).
     */
    static List<String> platformOption() {
        String p = System.getProperty("jvisor.platform");
        if (p == null || p.isEmpty()) {
            p = System.getenv("JVISOR_PLATFORM");
        }
        return p == null || p.isEmpty() ? List.of() : List.of("--platform=" + p);
    }

    /**
     * The repository's bin/jrunsc: under the system property {@code jvisor.repo} (the root pom sets it for
     * surefire), else in the nearest directory above the cwd that has one.
     *
     * @throws AssertionError when there is none, naming where it looked and the native-only switch
     */
    static Path jrunsc() {
        String repo = System.getProperty("jvisor.repo");
        if (repo != null && !repo.isEmpty()) {
            Path p = Path.of(repo, "bin", "jrunsc");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("bin").resolve("jrunsc");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("no executable bin/jrunsc under jvisor.repo=" + repo + " or above "
                + Path.of("").toAbsolutePath() + "; to check only the native side run with"
                + " -Djvisor.guest.nativeOnly=true");
    }
}
