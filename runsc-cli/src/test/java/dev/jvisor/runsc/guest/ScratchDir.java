package dev.jvisor.runsc.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fresh directory under the temp directory (/tmp) holding a program's fixture tree; it is the program's cwd.
 * Each run gets its own copy, so a native run and a sandboxed run start from identical trees and never see each
 * other's writes. In the sandbox it is part of the read-only host root, and the program's writes land in the
 * in-memory overlay.
 */
final class ScratchDir implements AutoCloseable {
    private final Path path;

    private ScratchDir(Path path) {
        this.path = path;
    }

    /**
     * Creates the directory and its tree: each entry is a relative path, a directory when it ends in '/', else an
     * empty file (mode 0644 under the usual umask).
     */
    static ScratchDir create(String label, List<String> tree) throws IOException {
        ScratchDir d = new ScratchDir(Files.createTempDirectory("jvisor-guest-" + label + "-"));
        try {
            for (String entry : tree) {
                Path p = d.path.resolve(entry);
                if (!p.normalize().startsWith(d.path)) {
                    throw new IllegalArgumentException("fixture entry escapes the scratch dir: " + entry);
                }
                Files.createDirectories(entry.endsWith("/") ? p : p.getParent());
                if (!entry.endsWith("/")) {
                    Files.createFile(p);
                }
            }
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> s = Files.walk(path)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
