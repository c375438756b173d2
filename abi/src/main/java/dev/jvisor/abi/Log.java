package dev.jvisor.abi;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;

/**
 * The debug log of a jVisor process (sentry, gofer, CLI). It never writes to stdout or stderr, which belong to
 * the workload: with no {@code --debug-log} file, debug lines go nowhere. Lines carry the time, the process
 * role and the thread.
 */
public final class Log {
    private Log() {}

    private static volatile PrintStream out;
    private static volatile boolean debug;
    private static volatile String role = "jrunsc";

    /** Opens {@code path} for appending, as the destination of every later line. */
    public static synchronized void open(String path, String processRole, boolean debugEnabled) throws IOException {
        OutputStream os = new FileOutputStream(path, true);
        out = new PrintStream(os, true, StandardCharsets.UTF_8);
        role = processRole;
        debug = debugEnabled;
    }

    /** Sends lines to an already open stream (tests; the strace-to-stderr case). */
    public static synchronized void to(PrintStream stream, String processRole, boolean debugEnabled) {
        out = stream;
        role = processRole;
        debug = debugEnabled;
    }

    public static boolean enabled() {
        return out != null;
    }

    public static boolean debugEnabled() {
        return debug && out != null;
    }

    public static void debug(String msg) {
        if (debug) {
            write("D", msg);
        }
    }

    public static void info(String msg) {
        write("I", msg);
    }

    public static void warn(String msg) {
        write("W", msg);
    }

    public static void warn(String msg, Throwable t) {
        PrintStream o = out;
        if (o != null) {
            synchronized (o) {
                write("W", msg);
                t.printStackTrace(o);
            }
        }
    }

    /** Writes a raw line with no prefix (strace output). */
    public static void raw(String line) {
        PrintStream o = out;
        if (o != null) {
            o.println(line);
        }
    }

    private static void write(String level, String msg) {
        PrintStream o = out;
        if (o != null) {
            o.println(level + " " + LocalTime.now() + " [" + role + ":" + Thread.currentThread().getName() + "] " + msg);
        }
    }
}
