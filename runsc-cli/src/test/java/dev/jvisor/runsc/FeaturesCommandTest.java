package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code jrunsc features}: the runtime-spec features document, claiming nothing that is not applied. */
class FeaturesCommandTest {
    @Test
    void reportsOnlyWhatIsImplemented() throws Exception {
        Cli.Result r = Cli.run("features");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("1.0.0", j.get("ociVersionMin").asText());
        assertEquals(0, j.get("hooks").size(), "hooks are not run yet");
        assertFalse(j.get("linux").get("seccomp").get("enabled").asBoolean());
        assertFalse(j.get("linux").get("cgroup").get("v2").asBoolean());
        assertEquals("ptrace,systrap", j.get("annotations").get("dev.jvisor.platforms").asText());
    }
}
