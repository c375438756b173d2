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

    /** Runs {@code argv} in a sandbox with cwd {@code cwd}: {@code bin/jrunsc do argv...}. */
    static Outcome run(Path cwd, List<String> argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(jrunsc().toString());
        cmd.add("do");
        cmd.addAll(argv);
        return Subprocess.run(cmd, cwd, Subprocess.TIMEOUT);
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
