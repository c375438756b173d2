package dev.jvisor.runsc.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * /proc as busybox reads it, where the output is the sandbox's own: the workload is PID 1 there, so it cannot be
 * compared with a native run (procfs.c checks the same files against Linux as relations).
 */
class ProcfsTest {
    private static final Path ROOT = Path.of("/");

    @Test
    void psShowsTheForkTreeWithInitAsPidOneAndItsChildrenUnderIt() throws Exception {
        assumeFalse(Sandbox.NATIVE_ONLY);
        Outcome o = Sandbox.run(ROOT, List.of("/bin/busybox", "sh", "-c",
                "/bin/sleep 5 & while read -r c < /proc/$!/comm; [ \"$c\" != sleep ]; do :; done;"
                        + " busybox ps -o pid,ppid,stat,comm; kill $!; wait"));
        // sh (1) waits for ps and is asleep; sleep (2, awaited until its execve set its comm) is asleep; ps (3)
        // reads the files and is running
        assertEquals("""
                PID   PPID  STAT COMMAND
                    1     0 S    busybox
                    2     1 S    sleep
                    3     1 R    busybox
                """, o.stdout(), o.toString());
        assertEquals(0, o.status(), o.toString());
    }

    @Test
    void procpsPsParsesStatAndStatusOfEveryProcess() throws Exception {
        assumeFalse(Sandbox.NATIVE_ONLY);
        assumeTrue(Files.isExecutable(Path.of("/bin/ps")), "procps is not installed");
        Outcome o = Sandbox.run(ROOT, List.of("/bin/busybox", "sh", "-c",
                "/bin/sleep 5 & while read -r c < /proc/$!/comm; [ \"$c\" != sleep ]; do :; done;"
                        + " /bin/ps -e -o pid,ppid,stat,nlwp,comm; kill $!; wait"));
        // init leads its session (s); NLWP is the thread count
        assertEquals("""
                  PID  PPID STAT NLWP COMMAND
                    1     0 Ss      1 busybox
                    2     1 S       1 sleep
                    3     1 R       1 ps
                """, o.stdout(), o.toString());
        assertEquals(0, o.status(), o.toString());
    }

    @Test
    void mapsNamesTheBinaryTheHeapAndTheStack() throws Exception {
        assumeFalse(Sandbox.NATIVE_ONLY);
        Outcome o = Sandbox.run(ROOT, List.of("/bin/busybox", "sh", "-c",
                "busybox cat /proc/self/maps; busybox readlink /proc/self/exe"));
        assertEquals(0, o.status(), o.toString());
        List<String> lines = o.stdout().lines().toList();
        String exe = lines.getLast();
        assertTrue(lines.stream().anyMatch(l -> l.matches("[0-9a-f]+-[0-9a-f]+ r-xp [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} "
                + "[1-9][0-9]* +" + exe)), "the binary's code is mapped from " + exe + ":\n" + o.stdout());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" [stack]") && l.contains(" rw-p 00000000 00:00 0 ")),
                o.stdout());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" [heap]")), o.stdout());
    }
}
