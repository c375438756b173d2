package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.runsc.control.ControlRequest;
import dev.jvisor.runsc.control.ControlServer;
import dev.jvisor.sentry.boot.Sandbox;
import dev.jvisor.sentry.boot.SandboxStats;

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
}
