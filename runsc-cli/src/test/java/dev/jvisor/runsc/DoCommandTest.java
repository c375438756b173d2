package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.security.auth.module.UnixSystem;
import dev.jvisor.sentry.boot.SandboxException;
import dev.jvisor.sentry.boot.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code jrunsc do}: the caller's command, environment, directory and identity, over the host's root. */
class DoCommandTest {
    @Test
    void theCallersWorldBecomesTheSpec() throws Exception {
        Cli.Result r = Cli.run(7, "do", "echo", "-n", "--cwd", "x");
        assertEquals(7, r.status(), "the exit status is the command's");
        assertEquals("", r.err());
        assertEquals("", r.out());
        SandboxSpec s = r.spec();
        assertEquals(List.of("echo", "-n", "--cwd", "x"), s.argv(), "options after CMD belong to CMD");
        List<String> env = System.getenv().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                .toList();
        assertEquals(env, s.env().stream().sorted().toList());
        assertEquals(System.getProperty("user.dir"), s.cwd());
        assertEquals("/", s.rootPath());
        assertTrue(s.rootReadonly(), "do never writes to the host");
        assertTrue(s.overlay());
        UnixSystem me = new UnixSystem();
        assertEquals(me.getUid(), s.uid());
        assertEquals(me.getGid(), s.gid());
        long[] groups = Arrays.stream(s.additionalGids()).asLongStream().sorted().toArray();
        assertArrayEquals(Arrays.stream(me.getGroups()).sorted().toArray(), groups);
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), s.hostname());
        assertEquals("ptrace", s.platform());
    }

    @Test
    void cwdIsResolvedAgainstTheCallersDirectory() {
        SandboxSpec s = Cli.run("do", "--cwd", "sub/../other", "pwd").spec();
        assertEquals(Path.of(System.getProperty("user.dir"), "other").toString(), s.cwd());
        assertEquals("/var", Cli.run("do", "--cwd", "/var", "pwd").spec().cwd());
    }

    @Test
    void anotherRootStartsAtItsTop(@TempDir Path root) {
        SandboxSpec s = Cli.run("do", "--root-path", root.toString(), "ls").spec();
        assertEquals(root.toString(), s.rootPath());
        assertEquals("/", s.cwd());
    }

    @Test
    void aMissingRootPathIsOneLine(@TempDir Path dir) {
        Cli.Result r = Cli.run("do", "--root-path", dir.resolve("gone").toString(), "ls");
        assertEquals(BaseCommand.FAILURE, r.status());
        assertEquals("jrunsc: --root-path " + dir.resolve("gone") + ": no such directory\n", r.err());
        assertNull(r.spec());
    }

    @Test
    void overlayNoneLeavesTheRootReadOnly() {
        SandboxSpec s = Cli.run("--overlay2=none", "--strace", "do", "true").spec();
        assertFalse(s.overlay());
        assertTrue(s.rootReadonly());
        assertTrue(s.strace());
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run("do");
        assertEquals(BaseCommand.USAGE, r.status());
        assertEquals(1, r.errLines().length, r.err());
    }

    @Test
    void goferCommandRunsThisClasspathsMainWithTheDebugLog(@TempDir Path dir) {
        String log = dir.resolve("d.log").toString();
        List<String> cmd = Cli.run("--debug-log", log, "--debug", "do", "true").spec().goferCommand();
        assertTrue(Files.isExecutable(Path.of(cmd.getFirst())), cmd.getFirst());
        int cp = cmd.indexOf("-cp");
        assertEquals(System.getProperty("java.class.path"), cmd.get(cp + 1));
        assertEquals(List.of("dev.jvisor.gofer.GoferMain", "--debug-log", log, "--debug"),
                cmd.subList(cp + 2, cmd.size()));
    }

    @Test
    void aSandboxThatCannotStartIsOneLineWithItsStatus() {
        Cli.Result r = Cli.run(spec -> {
            throw new SandboxException("nosuchcmd: command not found", 127);
        }, SignalForwarder.NONE, "do", "nosuchcmd");
        assertEquals(127, r.status());
        assertEquals("jrunsc: nosuchcmd: command not found\n", r.err());
    }

    @Test
    void anInternalErrorIsOneLineWithoutAStackTrace() {
        Cli.Result r = Cli.run(spec -> {
            throw new IllegalStateException("boom\nsecond line");
        }, SignalForwarder.NONE, "do", "true");
        assertEquals(BaseCommand.FAILURE, r.status());
        assertEquals("jrunsc: internal error: java.lang.IllegalStateException: boom; second line\n", r.err());
    }

    @Test
    void sigintAndSigtermGoToTheSandboxWhileItRuns() throws InterruptedException {
        Set<Integer> forwarded = ConcurrentHashMap.newKeySet();
        CountDownLatch both = new CountDownLatch(2);
        // Handlers of our own, so that a signal jrunsc failed to catch cannot end the test JVM.
        SignalHandler intBefore = s -> { };
        SignalHandler termBefore = s -> { };
        SignalHandler intOriginal = Signal.handle(new Signal("INT"), intBefore);
        SignalHandler termOriginal = Signal.handle(new Signal("TERM"), termBefore);
        try {
            Cli.Result r = Cli.run(spec -> {
                Signal.raise(new Signal("INT"));
                Signal.raise(new Signal("TERM"));
                try {
                    return both.await(10, TimeUnit.SECONDS) ? 130 : 0;
                } catch (InterruptedException e) {
                    return 0;
                }
            }, signo -> {
                forwarded.add(signo);
                both.countDown();
            }, "do", "sleep", "100");
            assertEquals(130, r.status(), r.err());
            assertEquals(Set.of(2, 15), forwarded);
        } finally {
            assertSame(intBefore, Signal.handle(new Signal("INT"), intOriginal), "SIGINT handler restored");
            assertSame(termBefore, Signal.handle(new Signal("TERM"), termOriginal), "SIGTERM handler restored");
        }
    }

    @Test
    void callerIdentityParsesProcStatus() {
        CallerIdentity id = CallerIdentity.parse("""
                Name:\tjava
                Uid:\t1000\t1001\t1002\t1003
                Gid:\t100\t101\t102\t103
                Groups:\t4 24 27\s
                """, "");
        assertEquals(1000, id.uid(), "the real uid");
        assertEquals(100, id.gid());
        assertArrayEquals(new int[] {4, 24, 27}, id.groups());
        assertEquals("localhost", id.hostname());
        assertArrayEquals(new int[0], CallerIdentity.parse("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n", "h").groups());
    }

    @Test
    void envIsSortedByName() {
        List<String> env = Cli.run("do", "env").spec().env();
        List<String> names = env.stream().map(e -> e.substring(0, e.indexOf('='))).toList();
        assertEquals(names.stream().sorted().toList(), names);
        assertEquals(System.getenv().size(), env.size());
    }
}
