package dev.jvisor.runsc.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * config.json parts that jrunsc accepts without applying them (cgroups, seccomp, hooks, CPU limits...) reach the
 * debug log instead of vanishing; values that could never be valid fail with the field's name.
 */
class UnenforcedTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private String parseLogged(String json) throws BundleConfigException {
        Log.to(new PrintStream(log, true, StandardCharsets.UTF_8), "test", true);
        ConfigReader.parse("config.json", json.getBytes(StandardCharsets.UTF_8));
        return log.toString(StandardCharsets.UTF_8);
    }

    @AfterEach
    void closeLog() {
        Log.to(null, "test", false);
    }

    private static String config(String linux, String extra) {
        return """
                {"process": {"args": ["sh"], "cwd": "/", "apparmorProfile": "docker-default"},
                 "root": {"path": "rootfs"}, "linux": %s %s}""".formatted(linux, extra);
    }

    @Test
    void whatIsNotAppliedIsLoggedByName() throws Exception {
        String text = parseLogged(config("""
                {"cgroupsPath": "/docker/abc", "seccomp": {"defaultAction": "SCMP_ACT_ERRNO"},
                 "resources": {"pids": {"limit": 10}, "memory": {"limit": 1048576, "swap": 2097152},
                               "cpu": {"shares": 512, "cpus": "0-1"}, "blockIO": {"weight": 100},
                               "devices": [{"allow": false, "access": "rwm"}]}}""",
                ", \"hooks\": {\"prestart\": [{\"path\": \"/usr/bin/true\"}]}"));
        assertTrue(text.contains("accepted, not applied: hooks, process.apparmorProfile, linux.cgroupsPath, "
                + "linux.seccomp\n"), text);
        assertTrue(text.contains("linux.resources.devices=[{\"allow\":false,\"access\":\"rwm\"}]"), text);
        assertTrue(text.contains("linux.resources.memory.swap=2097152"), text);
        assertTrue(text.contains("linux.resources.cpu={\"shares\":512,\"cpus\":\"0-1\"}"), text);
        assertTrue(text.contains("linux.resources.blockIO={\"weight\":100}"), text);
        assertFalse(text.contains("pids"), "pids.limit and memory.limit are enforced, not listed: " + text);
        assertFalse(text.contains("memory.limit"), text);
    }

    @Test
    void aConfigWithNothingUnappliedLogsNothing() throws Exception {
        assertEquals("", parseLogged("""
                {"process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
                 "linux": {"resources": {"pids": {"limit": 3}}}}"""));
    }

    @Test
    void invalidValuesFailNamingTheField() {
        assertEquals("config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\"",
                error(config("{\"seccomp\": {\"defaultAction\": \"SCMP_ACT_MAYBE\"}}", "")));
        assertEquals("config.json: linux.seccomp.defaultAction: required",
                error(config("{\"seccomp\": {\"architectures\": []}}", "")));
        assertEquals("config.json: hooks.poststart[0].path: must be an absolute path",
                error(config("{}", ", \"hooks\": {\"poststart\": [{\"path\": \"true\"}]}")));
        assertEquals("config.json: hooks.prestart: expected an array",
                error(config("{}", ", \"hooks\": {\"prestart\": {}}")));
        assertEquals("config.json: linux.resources.cpu.shares: expected a number (line 2, column 72)",
                error(config("{\"resources\": {\"cpu\": {\"shares\": \"lots\"}}}", "")));
    }

    @Test
    void updateResourcesAreCheckedLikeConfigJson() throws Exception {
        OciSpec.Resources r = ConfigReader.parseResources("r.json", """
                {"pids": {"limit": 5}, "memory": {"limit": -1}, "unified": {"memory.high": "max"}}"""
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(5L, r.pids().limit());
        assertEquals(-1L, r.memory().limit());
        assertEquals("r.json: memory.limit: -2 is neither a byte count nor -1", assertThrows(
                BundleConfigException.class, () -> ConfigReader.parseResources("r.json",
                        "{\"memory\": {\"limit\": -2}}".getBytes(StandardCharsets.UTF_8))).getMessage());
        assertEquals("r.json: expected an object (line 1, column 1)", assertThrows(BundleConfigException.class,
                () -> ConfigReader.parseResources("r.json", "[1]".getBytes(StandardCharsets.UTF_8))).getMessage());
    }

    private static String error(String json) {
        return assertThrows(BundleConfigException.class,
                () -> ConfigReader.parse("config.json", json.getBytes(StandardCharsets.UTF_8))).getMessage();
    }
}
