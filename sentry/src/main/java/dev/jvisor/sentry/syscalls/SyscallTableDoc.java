package dev.jvisor.sentry.syscalls;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders the syscall table as docs/SYSCALLS.md ({@code jrunsc help syscalls --format markdown}). A test keeps
 * docs/SYSCALLS.md equal to {@link #markdown()}; run {@link #main} with the repo directory to rewrite it.
 */
public final class SyscallTableDoc {
    private SyscallTableDoc() {}

    /** The content of docs/SYSCALLS.md. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Syscalls\n\n");
        sb.append("Generated from `SyscallTable` (sentry/src/main/java/dev/jvisor/sentry/syscalls/SyscallTable.java);")
                .append(" `jrunsc help syscalls` prints the same table. A test fails when this file and the table")
                .append(" disagree: regenerate it with `bin/jrunsc help syscalls --format markdown > docs/SYSCALLS.md`.\n\n");
        sb.append("Support levels: **supported** matches Linux; **partial** matches Linux except as noted; ")
                .append("**error** always returns the errno noted. Every syscall not listed returns ENOSYS and is ")
                .append("logged once per number. The i386 ABI (`int 0x80`) returns ENOSYS.\n\n");
        sb.append("| nr | name | support | note |\n|---:|---|---|---|\n");
        for (SyscallTable.Entry e : SyscallTable.entries()) {
            sb.append("| ").append(e.nr()).append(" | ").append(e.name()).append(" | ")
                    .append(e.support().name().toLowerCase()).append(" | ").append(e.note().replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** Rewrites docs/SYSCALLS.md under the directory given as the first argument. */
    public static void main(String[] args) throws Exception {
        Files.writeString(Path.of(args[0], "docs", "SYSCALLS.md"), markdown());
    }
}
