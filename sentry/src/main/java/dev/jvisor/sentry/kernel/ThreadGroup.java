package dev.jvisor.sentry.kernel;

import java.util.concurrent.CountDownLatch;

/** A process: the tasks sharing a PID, its exit status and resource limits. */
public final class ThreadGroup {
    private final int pid;
    private final int ppid;
    private final Rlimits rlimits = new Rlimits();
    private final CountDownLatch exited = new CountDownLatch(1);
    private final ProcessSignals signals = new ProcessSignals();

    // guarded by this
    private boolean exiting;
    private int exitStatus;

    public ThreadGroup(int pid, int ppid) {
        this.pid = pid;
        this.ppid = ppid;
    }

    public int pid() {
        return pid;
    }

    public int ppid() {
        return ppid;
    }

    public Rlimits rlimits() {
        return rlimits;
    }

    /** The process's shared pending signals and job-control state; its monitor is the signal lock. */
    public ProcessSignals signals() {
        return signals;
    }

    /** Starts group exit with a wait(2) status (code {@code << 8}, or the terminating signal). First one wins. */
    public synchronized void beginExit(int waitStatus) {
        if (!exiting) {
            exiting = true;
            exitStatus = waitStatus;
        }
    }

    public synchronized boolean exiting() {
        return exiting;
    }

    /** Called by the last task to leave. */
    public void finishExit() {
        exited.countDown();
    }

    /** Blocks until the group has exited; returns its wait(2) status. */
    public int awaitExit() throws InterruptedException {
        exited.await();
        synchronized (this) {
            return exitStatus;
        }
    }

    public synchronized int exitStatus() {
        return exitStatus;
    }
}
