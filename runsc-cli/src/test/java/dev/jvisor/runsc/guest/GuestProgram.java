package dev.jvisor.runsc.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

/**
 * One guest program: a C file in the test resources' {@code guest/} directory, compiled with
 * {@code gcc -static -O1 -Wall -Werror} into {@code target/guest/NAME} once per test run (skipped when the binary
 * is newer than the source and guest.h), and run natively or in the sandbox in a fresh {@link ScratchDir}.
 *
 * <p>A program declares what the harness needs in comment lines of its source:
 * <ul>
 *   <li>{@code // guest-exit: N}: the exit status Linux gives it (default 0);</li>
 *   <li>{@code // guest-tree: list/ list/a ...}: the fixture its cwd starts with (directories end in '/');</li>
 *   <li>{@code // guest-sandbox-stdout: FILE}: the sandbox deliberately differs from Linux; its stdout must equal
 *       FILE (next to the source) instead of the native stdout.</li>
 * </ul>
 */
public final class GuestProgram {
    private static final String RESOURCE_DIR = "guest";
    private static final ConcurrentMap<String, Path> BINARIES = new ConcurrentHashMap<>();

    private final String name;
    private final Path source;
    private final int expectedExit;
    private final List<String> tree;
    private final Optional<Path> sandboxStdout;

    private GuestProgram(String name, Path source) throws IOException {
        this.name = name;
        this.source = source;
        int exit = 0;
        List<String> t = new ArrayList<>();
        Path expected = null;
        for (String line : Files.readAllLines(source, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.startsWith("// guest-exit:")) {
                exit = Integer.parseInt(value(l));
            } else if (l.startsWith("// guest-tree:")) {
                t.addAll(Arrays.asList(value(l).split("\\s+")));
            } else if (l.startsWith("// guest-sandbox-stdout:")) {
                expected = source.resolveSibling(value(l));
            }
        }
        this.expectedExit = exit;
        this.tree = List.copyOf(t);
        this.sandboxStdout = Optional.ofNullable(expected);
    }

    private static String value(String directive) {
        return directive.substring(directive.indexOf(':') + 1).strip();
    }

    /** Every program in guest/, by name. */
    public static List<GuestProgram> all() {
        try (Stream<Path> s = Files.list(sourceDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".c")).sorted()
                    .map(p -> named(p.getFileName().toString().replaceFirst("\\.c$", ""))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The program guest/NAME.c. */
    public static GuestProgram named(String name) {
        Path src = sourceDir().resolve(name + ".c");
        if (!Files.isRegularFile(src)) {
            throw new IllegalArgumentException("no guest program " + src);
        }
        try {
            return new GuestProgram(name, src);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    /** The exit status Linux gives this program. */
    public int expectedExit() {
        return expectedExit;
    }

    /** The stdout the sandbox must print where it deliberately differs from Linux; empty for the usual program. */
    public Optional<String> sandboxStdout() {
        return sandboxStdout.map(p -> {
            try {
                return Files.readString(p, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Runs the program on the host kernel. */
    public Outcome runNative(String... args) throws IOException, InterruptedException {
        List<String> argv = argv(args);
        try (ScratchDir d = ScratchDir.create(name, tree)) {
            return Subprocess.run(argv, d.path(), Subprocess.TIMEOUT);
        }
    }

    /** Runs the program in the sandbox ({@code bin/jrunsc do}). */
    public Outcome runSandboxed(String... args) throws IOException, InterruptedException {
        List<String> argv = argv(args);
        try (ScratchDir d = ScratchDir.create(name, tree)) {
            return Sandbox.run(d.path(), argv);
        }
    }

    private List<String> argv(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(binary().toString());
        argv.addAll(Arrays.asList(args));
        return argv;
    }

    /** The compiled binary, built on first use in this JVM unless an up-to-date one exists. */
    public Path binary() throws IOException, InterruptedException {
        Path bin = BINARIES.get(name);
        if (bin != null) {
            return bin;
        }
        synchronized (BINARIES) {
            bin = BINARIES.get(name);
            if (bin == null) {
                bin = compile();
                BINARIES.put(name, bin);
            }
            return bin;
        }
    }

    private Path compile() throws IOException, InterruptedException {
        Path bin = targetDir().resolve("guest").resolve(name);
        Path header = sourceDir().resolve("guest.h");
        if (Files.isExecutable(bin) && newer(bin, source) && newer(bin, header)) {
            return bin;
        }
        Files.createDirectories(bin.getParent());
        // Build beside the target and rename: another JVM running the suite never executes a half-written file.
        Path tmp = Files.createTempFile(bin.getParent(), name + "-", ".tmp");
        try {
            List<String> cmd = List.of("gcc", "-static", "-O1", "-Wall", "-Werror", "-o", tmp.toString(),
                    source.toString());
            Outcome cc = Subprocess.run(cmd, sourceDir(), Subprocess.TIMEOUT);
            if (cc.status() != 0 || !cc.stderr().isEmpty()) {
                throw new AssertionError("compiling " + source + " failed or warned:\n" + cc.stderr() + cc.stdout());
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return bin;
    }

    private static boolean newer(Path a, Path b) throws IOException {
        FileTime ta = Files.getLastModifiedTime(a);
        return ta.compareTo(Files.getLastModifiedTime(b)) > 0;
    }

    /** The guest/ directory on the test classpath (target/test-classes/guest, a copy of the resources). */
    static Path sourceDir() {
        URL url = GuestProgram.class.getClassLoader().getResource(RESOURCE_DIR + "/guest.h");
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("guest/guest.h is not on the test classpath as a file: " + url);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The module's target/ directory: the parent of test-classes. */
    private static Path targetDir() {
        return sourceDir().getParent().getParent();
    }

    @Override
    public String toString() {
        return name;
    }
}
