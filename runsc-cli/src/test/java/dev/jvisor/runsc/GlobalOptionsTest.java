package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.platform.systrap.SystrapPlatformProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The global flags parse as runc's and runsc's do; bad flags are one-line usage errors with status 2. */
class GlobalOptionsTest {
    private static GlobalOptions parse(String... args) {
        Main main = new Main();
        main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())).parseArgs(args);
        return main.globals;
    }

    @Test
    void defaultsMatchRunsc() {
        GlobalOptions g = parse("help", "platforms");
        assertEquals("/var/run/jrunsc", g.root);
        assertNull(g.log);
        assertEquals(LogFormat.TEXT, g.logFormat);
        assertFalse(g.debug);
        assertNull(g.debugLog);
        assertNull(g.platform, "not given");
        assertEquals(new SystrapPlatformProvider().available() ? "systrap" : "ptrace", g.platform(),
                "runsc's default where the host supports it, else ptrace");
        assertEquals(NetworkMode.SANDBOX, g.network);
        assertFalse(g.strace);
        assertTrue(g.overlay2.rootInMemory());
        assertEquals("root:memory", g.overlay2.toString());
    }

    @Test
    void everyGlobalFlagIsParsed() {
        GlobalOptions g = parse("--root", "/run/x", "--log=/tmp/l.json", "--log-format", "json", "--debug",
                "--debug-log", "/tmp/d.log", "--platform=systrap", "--network", "none", "--strace",
                "--overlay2", "none", "--systemd-cgroup", "--rootless", "true", "--no-pivot", "--no-new-keyring",
                "spec");
        assertEquals("/run/x", g.root);
        assertEquals("/tmp/l.json", g.log);
        assertEquals(LogFormat.JSON, g.logFormat);
        assertTrue(g.debug);
        assertEquals("/tmp/d.log", g.debugLog);
        assertEquals("systrap", g.platform);
        assertEquals(NetworkMode.NONE, g.network);
        assertTrue(g.strace);
        assertFalse(g.overlay2.rootInMemory());
        assertTrue(g.systemdCgroup);
        assertEquals("true", g.rootless);
        assertTrue(g.compat.noPivot);
        assertTrue(g.compat.noNewKeyring);
    }

    @Test
    void booleanFlagsAcceptAnExplicitValueLikeGoFlags() {
        GlobalOptions g = parse("--debug=false", "--strace=true", "help");
        assertFalse(g.debug);
        assertTrue(g.strace);
    }

    @Test
    void seccompIsAnAliasOfSystrap() {
        assertEquals("systrap", parse("--platform", "seccomp", "help").platform);
        assertEquals("kvm", parse("--platform", "kvm", "help").platform);
    }

    @Test
    void allMemoryOverlayIsAccepted() {
        assertTrue(parse("--overlay2", "all:memory", "help").overlay2.rootInMemory());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "--log-format=xml", "--platform=firecracker", "--network=bridge",
            "--overlay2=root:self", "--overlay2=memory", "--overlay2=tmp:memory"})
    void aBadGlobalFlagIsOneUsageLine(String flag) {
        Cli.Result r = Cli.run(flag, "help", "platforms");
        assertEquals(BaseCommand.USAGE, r.status());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("jrunsc: "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void theUsageErrorNamesTheFlag() {
        Cli.Result r = Cli.run("--bogus", "help");
        assertTrue(r.err().contains("'--bogus'"), r.err());
        Cli.Result overlay = Cli.run("--overlay2=root:self", "help");
        assertTrue(overlay.err().contains("not available yet"), overlay.err());
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Cli.Result r = Cli.run("frobnicate");
        assertEquals(BaseCommand.USAGE, r.status());
        assertEquals(1, r.errLines().length, r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kvm"})
    void aPlatformThatIsNotReadyFailsClearlyWithoutLaunching(String platform) {
        Cli.Result r = Cli.run("--platform", platform, "do", "true");
        assertEquals(BaseCommand.FAILURE, r.status());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().contains("is not available yet"), r.err());
        assertNull(r.spec());
    }

    @Test
    void hostNetworkFailsClearly() {
        Cli.Result r = Cli.run("--network=host", "do", "true");
        assertEquals(BaseCommand.FAILURE, r.status());
        assertTrue(r.err().startsWith("jrunsc: --network=host is not available yet"), r.err());
        assertNull(r.spec());
    }

    @Test
    void ignoredRuncFlagsAreLoggedToTheDebugLog(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("debug.log");
        Cli.Result r = Cli.run("--debug", "--debug-log", log.toString(), "--systemd-cgroup", "--rootless", "auto",
                "--no-pivot", "help", "platforms");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        String text = Files.readString(log);
        assertTrue(text.contains("ignoring --systemd-cgroup"), text);
        assertTrue(text.contains("ignoring --rootless"), text);
        assertTrue(text.contains("ignoring --no-pivot"), text);
        assertFalse(text.contains("ignoring --no-new-keyring"), text);
    }

    @Test
    void versionPrintsTheVersionAndTheSpecVersion() {
        for (String flag : new String[] {"--version", "-v"}) {
            Cli.Result r = Cli.run(flag);
            assertEquals(0, r.status());
            assertTrue(r.out().matches("jrunsc version \\d+\\.\\d+\\.\\d+\\S*\nspec: 1\\.0\\.\\d+\n"), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void noCommandPrintsTheUsage() {
        Cli.Result r = Cli.run();
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("Usage: jrunsc"), r.out());
        for (String command : new String[] {"do", "run", "spec", "help"}) {
            assertTrue(r.out().contains("\n  " + command + " "), command);
        }
    }
}
