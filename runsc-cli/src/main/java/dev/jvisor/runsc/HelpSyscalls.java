package dev.jvisor.runsc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jvisor.sentry.syscalls.SyscallTable;
import dev.jvisor.sentry.syscalls.SyscallTableDoc;
import dev.jvisor.sentry.syscalls.SyscallTable.Entry;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jrunsc help syscalls}: the sentry's syscall table (x86-64 numbers), with how well each call matches
 * Linux. Numbers absent from the table return ENOSYS.
 */
@Command(name = "syscalls", description = "List the syscalls the sentry implements, and how fully.")
final class HelpSyscalls extends BaseCommand {
    enum Format { table, csv, json, markdown }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, csv, json or markdown (docs/SYSCALLS.md) (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    protected int execute() throws IOException {
        List<Entry> entries = SyscallTable.entries();
        PrintWriter out = out();
        switch (format) {
            case table -> table(entries, out);
            case csv -> csv(entries, out);
            case json -> json(entries, out);
            case markdown -> out.print(SyscallTableDoc.markdown());
        }
        out.flush();
        return OK;
    }

    /** The support level as printed: supported, partial or error. */
    static String support(Entry e) {
        return e.support().name().toLowerCase(Locale.ROOT);
    }

    private static void table(List<Entry> entries, PrintWriter out) {
        int nameWidth = entries.stream().mapToInt(e -> e.name().length()).max().orElse(4);
        String row = "%-4s %-" + nameWidth + "s %-9s %s%n";
        out.printf(row, "NR", "NAME", "SUPPORT", "NOTE");
        for (Entry e : entries) {
            out.printf(row, e.nr(), e.name(), support(e), e.note()).flush();
        }
        long partial = entries.stream().filter(e -> e.support() == SyscallTable.Support.PARTIAL).count();
        long error = entries.stream().filter(e -> e.support() == SyscallTable.Support.ERROR).count();
        out.printf("%d syscalls: %d supported, %d partial, %d returning an error; all others return ENOSYS.%n",
                entries.size(), entries.size() - partial - error, partial, error);
    }

    private static void csv(List<Entry> entries, PrintWriter out) {
        out.println("nr,name,support,note");
        for (Entry e : entries) {
            out.println(e.nr() + "," + e.name() + "," + support(e) + ",\"" + e.note().replace("\"", "\"\"") + "\"");
        }
    }

    private static void json(List<Entry> entries, PrintWriter out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartArray();
            for (Entry e : entries) {
                g.writeStartObject();
                g.writeNumberField("nr", e.nr());
                g.writeStringField("name", e.name());
                g.writeStringField("support", support(e));
                g.writeStringField("note", e.note());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        out.println();
    }
}
