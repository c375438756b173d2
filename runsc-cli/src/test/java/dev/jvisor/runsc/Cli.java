package dev.jvisor.runsc;

import dev.jvisor.sentry.boot.SandboxSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicReference;

/** Runs jrunsc in this JVM with captured output; the sandbox launcher records the spec instead of booting. */
final class Cli {
    /** What one jrunsc invocation did. {@code spec} is null when no sandbox was launched. */
    record Result(int status, String out, String err, SandboxSpec spec) {
        /** stderr's lines; a failure has exactly one. */
        String[] errLines() {
            return err.isEmpty() ? new String[0] : err.split("\n");
        }
    }

    private Cli() {}

    /** Runs {@code args}; a launched sandbox "exits" with {@code workloadStatus}. */
    static Result run(int workloadStatus, String... args) {
        return run(spec -> workloadStatus, SignalForwarder.NONE, args);
    }

    static Result run(String... args) {
        return run(0, args);
    }

    static Result run(SandboxLauncher launcher, SignalForwarder forwarder, String... args) {
        AtomicReference<SandboxSpec> launched = new AtomicReference<>();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Main main = new Main(spec -> {
            launched.set(spec);
            return launcher.run(spec);
        }, forwarder);
        int status = main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString(), launched.get());
    }
}
