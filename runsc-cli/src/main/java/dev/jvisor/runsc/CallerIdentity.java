package dev.jvisor.runsc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Who ran {@code jrunsc do}: its real uid and gid, supplementary groups (from /proc/self/status) and the host's
 * hostname. The sandboxed command runs as the same identity.
 */
record CallerIdentity(int uid, int gid, int[] groups, String hostname) {
    static CallerIdentity current() {
        try {
            return parse(Files.readString(Path.of("/proc/self/status")),
                    Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
        } catch (IOException e) {
            throw new CliException("cannot read the caller's identity: " + e.getMessage());
        }
    }

    /** Parses the Uid:, Gid: and Groups: lines of a /proc/PID/status text. */
    static CallerIdentity parse(String status, String hostname) {
        int uid = -1;
        int gid = -1;
        int[] groups = new int[0];
        for (String line : status.split("\n")) {
            String[] f = line.strip().split("\\s+");
            switch (f[0]) {
                case "Uid:" -> uid = Integer.parseInt(f[1]);
                case "Gid:" -> gid = Integer.parseInt(f[1]);
                case "Groups:" -> groups = Arrays.stream(f, 1, f.length).mapToInt(Integer::parseInt).toArray();
                default -> { }
            }
        }
        if (uid < 0 || gid < 0) {
            throw new CliException("/proc/self/status has no Uid: or Gid: line");
        }
        return new CallerIdentity(uid, gid, groups, hostname.isEmpty() ? "localhost" : hostname);
    }
}
