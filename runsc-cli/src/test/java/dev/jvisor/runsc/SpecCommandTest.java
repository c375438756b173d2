package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.runsc.oci.ConfigReader;
import dev.jvisor.runsc.oci.OciSpec;
import dev.jvisor.sentry.boot.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jrunsc spec} writes a busybox-friendly config.json that {@code run} accepts, and never overwrites. */
class SpecCommandTest {
    @TempDir
    Path bundle;

    @Test
    void writesADefaultConfigThatRunAccepts() throws Exception {
        Cli.Result r = Cli.run("spec", "--bundle", bundle.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.out());
        Path config = bundle.resolve("config.json");
        OciSpec spec = ConfigReader.read(config);
        assertEquals(List.of("sh"), spec.process().args());
        assertTrue(spec.process().terminal());
        assertEquals("/", spec.process().cwd());
        assertEquals("rootfs", spec.root().path());
        assertTrue(spec.root().readonly());
        assertTrue(spec.process().env().stream().anyMatch(e -> e.startsWith("PATH=")));

        Files.createDirectory(bundle.resolve("rootfs"));
        SandboxSpec s = Cli.run("run", "-b", bundle.toString(), "bb").spec();
        assertEquals(List.of("sh"), s.argv());
        assertEquals(bundle.resolve("rootfs").toString(), s.rootPath());
        assertEquals("jrunsc", s.hostname());
    }

    @Test
    void refusesToOverwriteAnExistingConfig() throws Exception {
        Path config = bundle.resolve("config.json");
        Files.writeString(config, "mine");
        Cli.Result r = Cli.run("spec", "--bundle", bundle.toString());
        assertEquals(BaseCommand.FAILURE, r.status());
        assertEquals("jrunsc: " + config + " exists; remove it first\n", r.err());
        assertEquals("mine", Files.readString(config));
    }

    @Test
    void aMissingBundleDirectoryIsOneLine() {
        Path gone = bundle.resolve("gone");
        Cli.Result r = Cli.run("spec", "--bundle", gone.toString());
        assertEquals(BaseCommand.FAILURE, r.status());
        assertEquals("jrunsc: bundle " + gone + ": no such directory\n", r.err());
    }
}
