package dev.jvisor.sentry.boot;

import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SignalDelivery;
import dev.jvisor.sentry.kernel.SignalInfo;
import dev.jvisor.sentry.kernel.TaskExit;
import dev.jvisor.sentry.kernel.ThreadGroup;

/**
 * A process that {@code jrunsc exec} started in a running sandbox. Its parent is outside the sandbox (getppid()
 * is 0, as for init), so nobody inside waits for it: {@link #awaitExit} collects its status and reaps it.
 */
public final class ExecedProcess {
    private final Kernel kernel;
    private final ThreadGroup group;
    /** Run once it is reaped: releases its terminal ({@code exec -t}); null without one. */
    private final Runnable onReaped;

    ExecedProcess(Kernel kernel, ThreadGroup group, Runnable onReaped) {
        this.kernel = kernel;
        this.group = group;
        this.onReaped = onReaped;
    }

    /** Its PID inside the sandbox. */
    public int pid() {
        return group.pid();
    }

    /** Sends {@code sig} as kill(2) from outside the sandbox would (SI_USER, si_pid 0); bad numbers are ignored. */
    public void signal(int sig) {
        if (sig < 1 || sig > Signals.NSIG) {
            return;
        }
        SignalDelivery.sendToProcess(kernel, group, SignalInfo.fromProcess(sig, SigInfo.SI_USER, 0, 0));
    }

    /** Waits for it to end, reaps it, and returns its wait(2) status (code {@code << 8}, or the signal). */
    public int awaitExit() throws InterruptedException {
        int status = group.awaitExit();
        TaskExit.reapOutsideChild(kernel, group);
        if (onReaped != null) {
            onReaped.run();
        }
        return status;
    }
}
