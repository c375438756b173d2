package dev.jvisor.sentry.syscalls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SyscallTableDocTest {
    @Test
    void docsSyscallsMdMatchesTheTable() throws Exception {
        Path repo = Path.of(System.getProperty("jvisor.repo", ".."));
        Path doc = repo.resolve("docs/SYSCALLS.md");
        assertTrue(Files.exists(doc), "docs/SYSCALLS.md is missing under " + repo.toAbsolutePath());
        assertEquals(SyscallTableDoc.markdown(), Files.readString(doc),
                "docs/SYSCALLS.md is stale: regenerate it from SyscallTable");
    }
}
