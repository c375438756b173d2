package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dynamically linked programs of the host (coreutils, bash, python3) run natively and in the sandbox, with cwd
 * "/", and must print and exit the same.
 */
class RealProgramsTest {
    record Case(String label, List<String> argv) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("coreutils echo", List.of("/bin/echo", "hello", "world")),
                new Case("coreutils ls -d", List.of("/bin/ls", "-d", "/etc", "/proc", "/nonexistent-jvisor")),
                new Case("coreutils sort", List.of("/bin/sh", "-c", "printf 'b\\na\\nc\\n' | /usr/bin/sort")),
                new Case("bash pipeline", List.of("/bin/bash", "-c",
                        "for i in 1 2 3; do echo $i; done | /usr/bin/tac; echo ${PIPESTATUS[@]}")),
                new Case("bash subshells and status", List.of("/bin/bash", "-c",
                        "(exit 7); echo $?; x=$(/bin/echo inner); echo \"$x\"; false; echo $?")),
                new Case("bash 2000-iteration loop", List.of("/bin/bash", "-c",
                        "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; echo $i")),
                new Case("python3 CPU count", List.of("/usr/bin/python3", "-c",
                        "import os; print(os.cpu_count(), len(os.sched_getaffinity(0)))")),
                new Case("python3", List.of("/usr/bin/python3", "-c",
                        "import json, os, sys; print(json.dumps({'sum': sum(range(100)), 'argv': sys.argv}));"
                                + " print(sorted(['b', 'a'])); sys.exit(3)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLinux(Case c) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(c.argv().get(0))), c.argv().get(0) + " is not installed");
        Path root = Path.of("/");
        Outcome linux = Subprocess.run(c.argv(), root, Subprocess.TIMEOUT);
        if (Sandbox.NATIVE_ONLY) {
            return;
        }
        Outcome sandbox = Sandbox.run(root, c.argv());
        assertEquals("", linux.differenceFrom(sandbox, "linux", "sandbox"),
                c.label() + " differs from Linux. Sandbox run:\n" + sandbox);
    }
}
