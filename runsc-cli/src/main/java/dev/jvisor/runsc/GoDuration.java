package dev.jvisor.runsc;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as runc's flags take them (Go's time.ParseDuration): "5s", "500ms", "1m30s", "1.5h". */
final class GoDuration {
    private GoDuration() {}

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    /** Parses {@code s}; throws {@link CliException} naming {@code flag} when it is not a duration. */
    static Duration parse(String flag, String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        double nanos = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            nanos += Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (at == 0 || at != s.length()) {
            throw new CliException("invalid " + flag + " '" + s + "': a duration such as 5s, 500ms or 1m30s");
        }
        return Duration.ofNanos((long) nanos);
    }

    /**
     * Go's time.Duration.String of {@code nanos} rounded to milliseconds: "0s", "20ms", "1.5s", "2m3.04s",
     * "1h0m0s" (ps's TIME, as runsc prints it).
     */
    static String formatMillis(long nanos) {
        long ms = Math.max(0, (nanos + 500_000) / 1_000_000);
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        StringBuilder sb = new StringBuilder();
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            sb.append(m).append('m');
        }
        sb.append(ms / 1000 % 60);
        long frac = ms % 1000;
        if (frac != 0) {
            String f = String.format(java.util.Locale.ROOT, "%03d", frac).replaceAll("0+$", "");
            sb.append('.').append(f);
        }
        return sb.append('s').toString();
    }
}
