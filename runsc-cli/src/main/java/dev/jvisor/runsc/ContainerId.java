package dev.jvisor.runsc;

import java.util.regex.Pattern;

/** Container IDs as runc accepts them: letters, digits, '_', '+', '-' and '.', and never "." or "..". */
final class ContainerId {
    private ContainerId() {}

    private static final Pattern VALID = Pattern.compile("[\\w+.-]+");

    static String check(String id) {
        if (!VALID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new CliException("invalid container id '" + id + "'");
        }
        return id;
    }
}
