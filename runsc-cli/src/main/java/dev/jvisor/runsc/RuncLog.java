package dev.jvisor.runsc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jvisor.abi.Log;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * runc's --log file. containerd's shim reads it after a failed command and reports the last error's
 * {@code msg}, so a failing command appends one line: {@code {"level":"error","msg":"...","time":"..."}} in
 * json format, or logrus's {@code time="..." level=error msg="..."} in text format.
 *
 * @param path the file, or null when --log was not given
 */
record RuncLog(String path, LogFormat format) {
    /** Appends the error line; a log that cannot be written goes to the debug log, never to stderr. */
    void error(String msg) {
        if (path == null) {
            return;
        }
        String time = Instant.now().toString();
        String line = format == LogFormat.JSON ? json(msg, time) : text(msg, time);
        try {
            Files.writeString(Path.of(path), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            Log.warn("--log " + path + ": " + e);
        }
    }

    static String json(String msg, String time) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("level", "error");
            g.writeStringField("msg", msg);
            g.writeStringField("time", time);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("a StringWriter cannot fail", e);
        }
        return w.toString();
    }

    static String text(String msg, String time) {
        return "time=\"" + time + "\" level=error msg=" + quote(msg);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
