package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.sentry.syscalls.SyscallTable;
import dev.jvisor.sentry.syscalls.SyscallTable.Entry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code jrunsc help}: command usage, the syscall table and the platforms. */
class HelpCommandTest {
    /** The table's rows, split into NR, NAME, SUPPORT and NOTE (which may contain spaces). */
    private static List<String[]> rows(String table) {
        String[] lines = table.split("\n");
        assertTrue(lines[0].matches("NR +NAME +SUPPORT +NOTE"), lines[0]);
        return Arrays.stream(lines, 1, lines.length - 1).map(l -> l.strip().split(" +", 4)).toList();
    }

    @Test
    void syscallTableListsReadWriteAndMmapWithTheirSupport() {
        Cli.Result r = Cli.run("help", "syscalls");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        List<String[]> rows = rows(r.out());
        assertEquals(List.of("0", "read", "supported"), List.of(rows.get(0)).subList(0, 3));
        assertEquals(List.of("1", "write", "supported"), List.of(rows.get(1)).subList(0, 3));
        String[] mmap = rows.stream().filter(row -> row[1].equals("mmap")).findFirst().orElseThrow();
        assertEquals("9", mmap[0]);
        assertEquals("partial", mmap[2]);
        assertTrue(mmap.length == 4 && !mmap[3].isBlank(), "a partial entry says what is missing");
    }

    @Test
    void syscallTableMatchesTheSentrysTable() {
        List<Entry> entries = SyscallTable.entries();
        List<String[]> rows = rows(Cli.run("help", "syscalls").out());
        assertEquals(entries.size(), rows.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            String[] row = rows.get(i);
            assertEquals(Integer.toString(e.nr()), row[0]);
            assertEquals(e.name(), row[1]);
            assertEquals(e.support().name().toLowerCase(), row[2]);
            assertEquals(e.note(), row.length > 3 ? row[3] : "");
        }
        String last = Cli.run("help", "syscalls").out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith(entries.size() + " syscalls: "), last);
    }

    @Test
    void syscallTableAsJsonAndCsv() throws Exception {
        List<Entry> entries = SyscallTable.entries();
        JsonNode json = new ObjectMapper().readTree(Cli.run("help", "syscalls", "--format", "json").out());
        assertEquals(entries.size(), json.size());
        for (int i = 0; i < entries.size(); i++) {
            assertEquals(entries.get(i).nr(), json.get(i).get("nr").asInt());
            assertEquals(entries.get(i).name(), json.get(i).get("name").asText());
            assertEquals(entries.get(i).note(), json.get(i).get("note").asText());
        }
        List<String> csv = Cli.run("help", "syscalls", "--format=csv").out().lines().toList();
        assertEquals("nr,name,support,note", csv.getFirst());
        assertEquals(entries.size() + 1, csv.size());
        assertTrue(csv.get(1).startsWith("0,read,supported,"), csv.get(1));
    }

    @Test
    void platformsSayWhichAreAvailable() {
        Cli.Result r = Cli.run("help", "platforms");
        assertEquals(0, r.status());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(1).matches("ptrace +yes +.+"), lines.get(1));
        assertTrue(lines.get(2).matches("systrap +yes +.+default where the host supports it"), lines.get(2));
        assertTrue(lines.get(3).matches("kvm +not yet +.+"), lines.get(3));
    }

    @Test
    void helpOfACommandIsItsUsage() {
        Cli.Result r = Cli.run("help", "run");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("Usage: jrunsc run "), r.out());
        assertTrue(r.out().contains("--bundle"), r.out());
        assertTrue(Cli.run("help").out().startsWith("Usage: jrunsc "));
    }

    @Test
    void helpOfAnUnknownCommandIsAUsageError() {
        Cli.Result r = Cli.run("help", "frobnicate");
        assertEquals(BaseCommand.USAGE, r.status());
        assertEquals("jrunsc: unknown command 'frobnicate' (see 'jrunsc --help')\n", r.err());
    }
}
