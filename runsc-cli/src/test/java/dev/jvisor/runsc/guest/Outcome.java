package dev.jvisor.runsc.guest;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What one run of a program produced: stdout, stderr (decoded as ISO-8859-1, so every byte survives) and the
 * exit status (128 + signal number when a signal killed it, as a shell reports it).
 */
public record Outcome(String stdout, String stderr, int status) {
    /** Lines starting with this are nondeterministic by the program's own declaration; see {@link #masked()}. */
    public static final String MASK_PREFIX = "~";

    /**
     * This outcome with every masked line reduced to its label: a line starting with {@code ~} keeps the text up
     * to and including the first {@code " = "} (or {@code ": "}) and loses the rest. Programs use it only for
     * results that legitimately differ between Linux and the sandbox (see guest/README.md).
     */
    public Outcome masked() {
        return new Outcome(mask(stdout), mask(stderr), status);
    }

    static String mask(String text) {
        if (!text.contains(MASK_PREFIX)) {
            return text;
        }
        List<String> lines = text.lines().map(Outcome::maskLine).toList();
        return lines.stream().collect(Collectors.joining("\n")) + (text.endsWith("\n") ? "\n" : "");
    }

    private static String maskLine(String line) {
        if (!line.startsWith(MASK_PREFIX)) {
            return line;
        }
        int eq = line.indexOf(" = ");
        int colon = line.indexOf(": ");
        int cut = eq >= 0 && (colon < 0 || eq < colon) ? eq + 3 : colon >= 0 ? colon + 2 : line.length();
        return line.substring(0, cut) + "<masked>";
    }

    /**
     * A short account of how {@code actual} differs from this (the reference): the first differing line of
     * stdout and of stderr, and both statuses. Empty when they are equal.
     */
    public String differenceFrom(Outcome actual, String referenceName, String actualName) {
        StringBuilder sb = new StringBuilder();
        firstDifference("stdout", stdout, actual.stdout, referenceName, actualName, sb);
        firstDifference("stderr", stderr, actual.stderr, referenceName, actualName, sb);
        if (status != actual.status) {
            sb.append("exit status: ").append(referenceName).append(' ').append(status).append(", ")
                    .append(actualName).append(' ').append(actual.status).append('\n');
        }
        return sb.toString();
    }

    private static void firstDifference(String stream, String ref, String act, String refName, String actName,
                                        StringBuilder sb) {
        if (ref.equals(act)) {
            return;
        }
        List<String> a = ref.lines().toList();
        List<String> b = act.lines().toList();
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        sb.append(stream).append(" differs at line ").append(i + 1).append(":\n")
                .append("  ").append(refName).append(": ").append(i < a.size() ? a.get(i) : "<end>").append('\n')
                .append("  ").append(actName).append(": ").append(i < b.size() ? b.get(i) : "<end>").append('\n');
        if (a.size() == b.size() && i == a.size()) {
            sb.append("  (only the trailing newline differs)\n");
        }
    }

    @Override
    public String toString() {
        return "exit status " + status + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr + "---";
    }
}
