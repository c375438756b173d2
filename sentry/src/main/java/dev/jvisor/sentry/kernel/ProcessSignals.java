package dev.jvisor.sentry.kernel;

/**
 * A process's share of signal state: the queue of signals sent to the whole process (kill), the job-control stop
 * and the count of queued siginfo that RLIMIT_SIGPENDING caps. Its monitor is the process's signal lock (Linux's
 * siglock): it guards this, and the pending queues of every task of the process.
 */
public final class ProcessSignals {
    final SignalQueue shared = new SignalQueue();
    /** Notified (EVENT_IN) whenever a signal is queued for the process or one of its tasks: signalfd, poll. */
    private final WaitQueue queuedEvents = new WaitQueue();
    /** Stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU until SIGCONT. Written under this; read without it. */
    private volatile boolean stopped;
    /** The signal that stopped it (for a future wait(2) WUNTRACED report). Guarded by this. */
    private int stopSignal;
    /** Queued siginfo of this process (Linux counts per user; the sandbox counts per process). Guarded by this. */
    int queuedCount;

    /** Wakes waiters for queued signals (signalfd readiness); see {@link #queuedEvents()}. */
    public WaitQueue queuedEvents() {
        return queuedEvents;
    }

    /** Whether the process is in a job-control stop. */
    public boolean stopped() {
        return stopped;
    }

    /** The signal of the current stop, 0 when running. */
    public synchronized int stopSignal() {
        return stopped ? stopSignal : 0;
    }

    /** Every task has joined the current stop (Linux's SIGNAL_STOP_STOPPED): read by the orphaned-group check
     *  under the tree lock, which may not take this lock. Written under this. */
    private volatile boolean stopDone;
    /** Tasks yet to join the current stop; the parent is told when the last one does. Guarded by this. */
    private int stopRemaining;
    /** Counts stops, so a task joins each stop once. Guarded by this. */
    private int stopGeneration;

    /** Starts a group stop on {@code sig} that {@code tasks} tasks must join. Guarded by this. */
    void stop(int sig, int tasks) {
        stopped = true;
        stopSignal = sig;
        stopRemaining = tasks;
        stopDone = false;
        stopGeneration++;
    }

    /**
     * Task {@code t} joins the current stop (it is stopping, or exiting). Returns true when it is the last
     * one: the stop is complete, and the caller tells the parent (Linux's task_participate_group_stop).
     * Guarded by this.
     */
    boolean participate(Task t) {
        if (!stopped || t.stopGeneration() == stopGeneration || stopRemaining <= 0) {
            return false;
        }
        t.stopGeneration(stopGeneration);
        if (--stopRemaining == 0) {
            stopDone = true;
            return true;
        }
        return false;
    }

    /** SIGCONT ended a stop that the parent has not been told of yet. Guarded by this. */
    private boolean continuedToReport;

    void continued() {
        continuedToReport = true;
    }

    /** Whether a SIGCONT ended a stop since the last call. */
    synchronized boolean takeContinued() {
        boolean c = continuedToReport;
        continuedToReport = false;
        return c;
    }

    /** Ends a stop; returns whether the process was stopped. */
    boolean resume() {
        boolean was = stopped;
        stopped = false;
        stopRemaining = 0;
        stopDone = false;
        return was;
    }

    /** Whether every task has joined the current stop (the parent has been told of it). Guarded by this. */
    boolean stopComplete() {
        return stopDone;
    }
}
