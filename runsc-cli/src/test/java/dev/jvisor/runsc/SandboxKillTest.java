package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.abi.Signals;
import dev.jvisor.gofer.client.GoferLauncher;
import dev.jvisor.sentry.boot.Sandbox;
import dev.jvisor.sentry.boot.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill from outside always works, whatever the tasks are blocked in: here threads and a child process wait in
 * futex(2) forever when the sandbox's init gets SIGKILL. Every task must end, and no sentry task thread may be
 * left behind.
 */
class SandboxKillTest {
    /** Blocks three tasks in two processes in futex waits nobody will wake. Prints nothing: stdio is the JVM's. */
    private static final String PROGRAM = """
            #define _GNU_SOURCE
            #include <linux/futex.h>
            #include <pthread.h>
            #include <stdint.h>
            #include <sys/mman.h>
            #include <sys/syscall.h>
            #include <unistd.h>
            static uint32_t word;
            static void *blocked(void *arg) {
                syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
                return NULL;
            }
            int main(void) {
                uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
                pthread_t t;
                pthread_create(&t, NULL, blocked, NULL);
                if (fork() == 0) {
                    syscall(SYS_futex, shared, FUTEX_WAIT, 0, NULL, NULL, 0);
                    _exit(0);
                }
                syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
                return 0;
            }
            """;

    @Test
    void sigkillEndsTasksBlockedInFutexWaitsAndLeavesNoTaskThread(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("blocked.c");
        Path exe = dir.resolve("blocked");
        Files.writeString(src, PROGRAM);
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", exe.toString(), src.toString())
                .redirectErrorStream(true).start();
        assumeTrue(gcc.waitFor(120, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc -static is not available");

        SandboxSpec spec = new SandboxSpec(List.of(exe.toString()), List.of(), "/", "/", true, true, 0, 0,
                new int[0], "sandbox", SandboxSpec.Limits.NONE, List.of(), "ptrace", false,
                GoferLauncher.defaultCommand());
        try (Sandbox s = Sandbox.start(spec)) {
            Thread.sleep(1500); // the threads and the child reach their waits
            assertTrue(taskThreads() >= 3, "expected three running tasks, found " + taskThreads());
            s.kill(Signals.SIGKILL);
            int status = CompletableFuture.supplyAsync(s::waitExit).get(30, TimeUnit.SECONDS);
            assertEquals(128 + Signals.SIGKILL, status);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (taskThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, taskThreads(), "task threads left after the sandbox ended:\n" + taskStacks());
    }

    private static String taskStacks() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, st) -> {
            if (t.getName().startsWith("task-")) {
                sb.append(t.getName()).append('\n');
                for (StackTraceElement e : st) {
                    sb.append("    at ").append(e).append('\n');
                }
            }
        });
        return sb.toString();
    }

    private static long taskThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("task-")).count();
    }
}
