package dev.jvisor.runsc.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** config.json parsing: unknown properties are ignored (the OCI spec says so); known ones are checked. */
class ConfigReaderTest {
    private static final String MINIMAL = """
            {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"}}""";

    private static OciSpec parse(String json) throws BundleConfigException {
        return ConfigReader.parse("config.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String json) {
        return assertThrows(BundleConfigException.class, () -> parse(json)).getMessage();
    }

    @Test
    void unknownPropertiesAreIgnoredAtEveryLevel() throws Exception {
        OciSpec s = parse("""
                {"ociVersion": "1.2.0", "vm": {"hypervisor": {}}, "domainname": "x",
                 "process": {"args": ["sh"], "cwd": "/", "ioPriority": {"class": "IOPRIO_CLASS_IDLE"}},
                 "root": {"path": "rootfs", "extra": 1}}""");
        assertEquals(List.of("sh"), s.process().args());
        assertEquals("1.2.0", s.ociVersion());
    }

    @Test
    void theContainerdConfigParses() throws Exception {
        byte[] json = getClass().getResourceAsStream("containerd-config.json").readAllBytes();
        OciSpec s = ConfigReader.parse("config.json", json);
        assertEquals(List.of("/bin/sleep", "1000"), s.process().args());
        assertEquals("RLIMIT_NOFILE", s.process().rlimits().getFirst().type());
        assertEquals(7, s.mounts().size());
        assertEquals("pid", s.linux().namespaces().getFirst().type());
    }

    @Test
    void rlimitsHoldTheWholeUint64Range() throws Exception {
        OciSpec s = parse(MINIMAL.replace("\"cwd\": \"/\"", """
                "cwd": "/", "rlimits": [{"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 0}]"""));
        assertEquals(new BigInteger("18446744073709551615"), s.process().rlimits().getFirst().hard());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {}                                                                  | config.json: process: required
            []                                                                  | config.json: expected an object (line 1, column 1)
            ''                                                                  | config.json: empty file
            {"process": {"args": "sh", "cwd": "/"}, "root": {"path": "r"}}      | config.json: process.args: expected an array (line 1, column 22)
            {"process": {"args": ["sh", null], "cwd": "/"}, "root": {"path": "r"}} | config.json: process.args[1]: must not be null (line 1, column 29)
            {"process": {"args": [""], "cwd": "/"}, "root": {"path": "r"}}      | config.json: process.args[0]: must not be empty
            {"process": {"args": ["sh"]}, "root": {"path": "r"}}                | config.json: process.cwd: required
            {"process": {"args": ["sh"], "cwd": "tmp"}, "root": {"path": "r"}}  | config.json: process.cwd: must be an absolute path, not 'tmp'
            {"process": {"args": ["sh"], "cwd": "/"}}                           | config.json: root.path: required
            {"process": {"args": ["sh"], "cwd": "/"}, "root": {}}               | config.json: root.path: required
            {"process": {"args": ["sh"], "cwd": "/", "terminal": "yes"}, "root": {"path": "r"}} | config.json: process.terminal: expected true or false (line 1, column 54)
            {"process": {"args": ["sh"], "cwd": "/", "user": {"uid": -1}}, "root": {"path": "r"}} | config.json: process.user.uid: must not be negative
            {"process": {"args": ["sh"], "cwd": "/", "user": {"uid": "0"}}, "root": {"path": "r"}} | config.json: process.user.uid: expected a number (line 1, column 58)
            {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "r"}} trailing | config.json: invalid JSON: Unrecognized token 'trailing': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 66)
            {"process": {"args": ["sh"], "cwd": "/"}, "process": {}}            | config.json: invalid JSON: Duplicate field 'process' (line 1, column 52)
            """)
    void aBadConfigIsOneLineNamingTheField(String json, String expected) {
        assertEquals(expected, error(json));
    }

    @Test
    void aTooLongHostnameIsRefusedLikeSethostname() throws Exception {
        assertEquals("config.json: hostname: longer than 64 characters",
                error(MINIMAL.replace("{\"process\"", "{\"hostname\": \"" + "h".repeat(65) + "\", \"process\"")));
        assertEquals(64, parse(MINIMAL.replace("{\"process\"", "{\"hostname\": \"" + "h".repeat(64)
                + "\", \"process\"")).hostname().length());
    }
}
