package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.runsc.control.ControlRequest;
import dev.jvisor.runsc.control.ControlServer;
import dev.jvisor.runsc.control.ExecProcess;
import dev.jvisor.runsc.control.ProcessEntry;
import dev.jvisor.sentry.boot.ExecSpec;
import dev.jvisor.sentry.boot.ExecedProcess;
import dev.jvisor.sentry.boot.Sandbox;
import dev.jvisor.sentry.boot.SandboxException;
import dev.jvisor.sentry.boot.SandboxSpec;
import dev.jvisor.sentry.boot.SandboxStats;
import java.util.List;

/** What the control socket asks of a sandbox running in this JVM ({@code boot}, and {@code run}). */
final class SandboxControl implements ControlServer.Handler {
    /** Linux's PID_MAX_LIMIT: a bigger pids limit can never be reached, so it is no limit. */
    private static final long PID_MAX_LIMIT = 4_194_304;

    private final Sandbox sandbox;

    SandboxControl(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public void start() {
        Log.debug("start");
        sandbox.start();
    }

    @Override
    public void kill(int signal, boolean all) {
        if (all) {
            sandbox.killAll(signal);
        } else {
            sandbox.kill(signal);
        }
    }

    @Override
    public void pause() {
        Log.debug("pause");
        sandbox.pause();
    }

    @Override
    public void resume() {
        Log.debug("resume");
        sandbox.resume();
    }

    @Override
    public SandboxStats stats() {
        return sandbox.stats();
    }

    @Override
    public void update(ControlRequest.Limits limits) {
        Integer pids = limits.pids() == null ? null : (int) Math.min(Math.max(limits.pids(), 0), PID_MAX_LIMIT);
        Long memory = limits.memory() == null ? null : Math.max(limits.memory(), 0);
        sandbox.updateLimits(pids, memory);
    }

    /** Starts {@code process} in the sandbox ({@code jrunsc exec}). */
    @Override
    public ControlServer.Execed exec(ExecProcess process, int[] stdio) {
        ExecedProcess p;
        try {
            p = sandbox.exec(new ExecSpec(process.args(), process.env() == null ? List.of() : process.env(),
                    process.cwd() == null || process.cwd().isEmpty() ? "/" : process.cwd(), process.uid(),
                    process.gid(), process.additionalGids() == null ? new int[0] : process.additionalGids(),
                    process.umask() == null ? 022 : process.umask() & 0777,
                    process.rlimits() == null ? List.of() : process.rlimits().stream()
                            .map(r -> new SandboxSpec.Rlimit(r.resource(), r.soft(), r.hard())).toList(),
                    stdio, Boolean.TRUE.equals(process.terminal())));
        } catch (SandboxException e) {
            throw new ControlServer.RequestFailedException(e.getMessage(), e.exitStatus());
        }
        return new ControlServer.Execed() {
            @Override
            public int pid() {
                return p.pid();
            }

            @Override
            public void signal(int signal) {
                p.signal(signal);
            }

            @Override
            public int awaitExit() throws InterruptedException {
                return p.awaitExit();
            }
        };
    }

    @Override
    public List<ProcessEntry> processes() {
        long nowMillis = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        return sandbox.processes().stream().map(p -> new ProcessEntry(p.pid(), p.ppid(), p.uid(),
                nowMillis - (nowNanos - p.startNanos()) / 1_000_000, p.argv(), p.comm(), p.cpuNanos())).toList();
    }
}
