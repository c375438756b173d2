package dev.jvisor.runsc.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jvisor.sentry.boot.SandboxSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** process.rlimits and linux.resources mapped onto the limits the sentry enforces, and refused when invalid. */
class ResourceLimitsTest {
    private static OciSpec parse(String process, String linux) throws BundleConfigException {
        String json = "{\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"" + process + "}, \"root\": {\"path\": \"r\"}"
                + (linux.isEmpty() ? "" : ", \"linux\": " + linux) + "}";
        return ConfigReader.parse("config.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static SandboxSpec.Limits limits(String process, String linux) throws BundleConfigException {
        return ResourceLimits.of("config.json", parse(process, linux));
    }

    @Test
    void noLimitsMeansTheSentrysDefaults() throws Exception {
        assertEquals(SandboxSpec.Limits.NONE, limits("", ""));
        assertEquals(SandboxSpec.Limits.NONE, limits("", "{\"resources\": {}}"));
    }

    @Test
    void pidsAndMemoryLimitsAreCarried() throws Exception {
        SandboxSpec.Limits l = limits("",
                "{\"resources\": {\"pids\": {\"limit\": 20}, \"memory\": {\"limit\": 67108864}}}");
        assertEquals(20, l.maxTasks());
        assertEquals(64L << 20, l.memoryBytes());
    }

    @ParameterizedTest
    @CsvSource({"0, -1", "-1, 0", "-7, 0"})
    void zeroOrNegativeMeansNoLimit(long pids, long memory) throws Exception {
        SandboxSpec.Limits l = limits("", "{\"resources\": {\"pids\": {\"limit\": " + pids
                + "}, \"memory\": {\"limit\": " + memory + "}}}");
        assertEquals(0, l.maxTasks());
        assertEquals(0, l.memoryBytes());
    }

    @Test
    void aPidsLimitAbovePidMaxIsNoTighterThanPidMax() throws Exception {
        assertEquals(4_194_304, limits("", "{\"resources\": {\"pids\": {\"limit\": 9223372036854775807}}}").maxTasks());
    }

    @Test
    void rlimitsMapToResourceNumbersAndInfinityToMinusOne() throws Exception {
        SandboxSpec.Limits l = limits(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 256, \"hard\": 4096},"
                + " {\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 18446744073709551615}]", "");
        assertEquals(List.of(new SandboxSpec.Rlimit(7, 256, 4096), new SandboxSpec.Rlimit(4, 0, -1)), l.rlimits());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}        | config.json: process.rlimits[0].type: unknown rlimit RLIMIT_BOGUS
            {"soft": 1, "hard": 1}                                 | config.json: process.rlimits[0].type: required
            {"type": "RLIMIT_NOFILE", "hard": 1}                  | config.json: process.rlimits[0].soft: required
            {"type": "RLIMIT_NOFILE", "soft": 9, "hard": 8}       | config.json: process.rlimits[0]: RLIMIT_NOFILE soft limit 9 is above the hard limit 8
            {"type": "RLIMIT_NOFILE", "soft": -1, "hard": 8}      | config.json: process.rlimits[0].soft: -1 is out of range (0 to 2^64-1)
            {"type": "RLIMIT_NOFILE", "soft": 1, "hard": 2000000} | config.json: process.rlimits[0].hard: RLIMIT_NOFILE above 1048576 (nr_open)
            {"type": "RLIMIT_CPU", "soft": 1, "hard": 18446744073709551616} | config.json: process.rlimits[0].hard: 18446744073709551616 is out of range (0 to 2^64-1)
            """)
    void aBadRlimitIsOneLineNamingIt(String rlimit, String expected) {
        assertEquals(expected, assertThrows(BundleConfigException.class,
                () -> parse(", \"rlimits\": [" + rlimit + "]", "")).getMessage());
    }

    @Test
    void aRepeatedRlimitIsRefused() {
        assertEquals("config.json: process.rlimits[1].type: RLIMIT_NOFILE given twice",
                assertThrows(BundleConfigException.class, () -> parse(", \"rlimits\": ["
                        + "{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
                        + "{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 2}]", "")).getMessage());
    }

    @Test
    void aNegativeMemoryLimitOtherThanMinusOneIsRefused() {
        assertEquals("config.json: linux.resources.memory.limit: -2 is neither a byte count nor -1",
                assertThrows(BundleConfigException.class,
                        () -> parse("", "{\"resources\": {\"memory\": {\"limit\": -2}}}")).getMessage());
    }
}
