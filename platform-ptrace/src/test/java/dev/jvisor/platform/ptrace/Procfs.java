package dev.jvisor.platform.ptrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reading a process's state from /proc, for assertions. */
final class Procfs {
    private Procfs() {}

    static List<String> maps(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps"));
    }

    static List<String> fds(int pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String fdTarget(int pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    /** A field of /proc/PID/status ("TracerPid", "SigCgt"...). */
    static String status(int pid, String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith(field + ":")) {
                return l.substring(field.length() + 1).trim();
            }
        }
        throw new IllegalArgumentException(field);
    }

    /** The tids of a process's threads, sorted numerically. */
    static List<String> tasks(int pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return s.map(p -> p.getFileName().toString()).sorted((a, b) -> Integer.parseInt(a) - Integer.parseInt(b))
                    .toList();
        }
    }

    /** A field of /proc/PID/task/TID/status. */
    static String taskStatus(int pid, int tid, String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/task/" + tid + "/status"))) {
            if (l.startsWith(field + ":")) {
                return l.substring(field.length() + 1).trim();
            }
        }
        throw new IllegalArgumentException(field);
    }

    /** The state letter of /proc/PID/stat, or 'X' when the process no longer exists. */
    static char state(int pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.charAt(s.lastIndexOf(')') + 2);
        } catch (NoSuchFileException e) {
            return 'X';
        } catch (IOException e) {
            return 'X';
        }
    }

    /** Gone or a zombie: in neither case can it run or hold memory. */
    static boolean dead(int pid) {
        char c = state(pid);
        return c == 'X' || c == 'Z';
    }
}
