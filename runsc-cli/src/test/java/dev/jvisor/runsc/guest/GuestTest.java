package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The differential suite: every program in guest/ runs natively and in the sandbox, and stdout, stderr and the
 * exit status must be the same (after {@link Outcome#masked() masking}). One test case per program, named after
 * it.
 *
 * <p>{@code -Djvisor.guest=io,mem} runs only those programs; {@code -Djvisor.guest.nativeOnly=true} runs only the
 * native side, twice, and checks the program itself: its exit status is the declared one (so every EXPECT held
 * on Linux) and two runs print the same.
 */
class GuestTest {
    @TestFactory
    Stream<DynamicTest> programs() {
        Set<String> only = selected();
        List<GuestProgram> programs = GuestProgram.all().stream()
                .filter(p -> only.isEmpty() || only.contains(p.name())).toList();
        assertFalse(programs.isEmpty(), "no guest program matches -Djvisor.guest=" + only);
        return programs.stream().map(p -> DynamicTest.dynamicTest(p.name(), () -> named(p)));
    }

    /** Surefire names dynamic tests by index; every failure message starts with the program's name instead. */
    private static void named(GuestProgram p) throws Exception {
        try {
            check(p);
        } catch (AssertionError e) {
            throw new AssertionError(p.name() + ": " + e.getMessage(), e);
        }
    }

    private static Set<String> selected() {
        String s = System.getProperty("jvisor.guest", "").strip();
        return s.isEmpty() ? Set.of() : Arrays.stream(s.split(",")).map(String::strip).collect(Collectors.toSet());
    }

    private static void check(GuestProgram p) throws Exception {
        Outcome linux = p.runNative();
        checkNative(p, linux);
        if (Sandbox.NATIVE_ONLY) {
            Outcome again = p.runNative();
            same(linux, again, "run 1", "run 2", "not deterministic natively; second run:\n" + again);
            return;
        }
        Outcome sandbox = p.runSandboxed();
        if (p.sandboxStdout().isPresent()) {
            Outcome expected = new Outcome(p.sandboxStdout().get(), "", 0);
            same(expected, sandbox, "expected", "sandbox", "the sandbox run:\n" + sandbox);
            return;
        }
        same(linux.masked(), sandbox.masked(), "linux", "sandbox", "differs from Linux; the sandbox run:\n" + sandbox);
    }

    private static void same(Outcome reference, Outcome actual, String refName, String actName, String context) {
        String diff = reference.differenceFrom(actual, refName, actName);
        if (!diff.isEmpty()) {
            fail(diff + context);
        }
    }

    /**
     * A program's native run is its own test: every EXPECT held (no MISMATCH line, the declared exit status).
     * Programs whose sandbox output is fixed may depend on the host (int80 needs IA32 emulation), so for them
     * only determinism is checked.
     */
    private static void checkNative(GuestProgram p, Outcome linux) {
        if (p.sandboxStdout().isPresent()) {
            return;
        }
        assertFalse(linux.stdout().contains("[MISMATCH"), "broke its own expectations on Linux:\n" + linux);
        assertEquals(p.expectedExit(), linux.status(), "exit status natively:\n" + linux);
        assertFalse(linux.stdout().isEmpty(), "printed nothing natively");
    }
}
