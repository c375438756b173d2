/**
 * The kernel proper: tasks ({@link dev.jvisor.sentry.kernel.Task}, one per workload thread, each on its own Java
 * platform thread), processes ({@link dev.jvisor.sentry.kernel.ThreadGroup}), the PID namespace and process tree
 * ({@link dev.jvisor.sentry.kernel.PidNamespace}), task creation and exit
 * ({@link dev.jvisor.sentry.kernel.TaskStart}, {@link dev.jvisor.sentry.kernel.TaskExit},
 * {@link dev.jvisor.sentry.kernel.Exec}), waiting ({@link dev.jvisor.sentry.kernel.Waiter},
 * {@link dev.jvisor.sentry.kernel.WaitQueue}, {@link dev.jvisor.sentry.kernel.Completion},
 * {@link dev.jvisor.sentry.kernel.ChildWait}) and futexes ({@link dev.jvisor.sentry.kernel.FutexTable}).
 *
 * <h2>Locks, in the order they may be taken</h2>
 * <ol>
 *   <li>A process's signal lock, the {@code ProcessSignals} monitor: it may be held while the tree lock is taken
 *       (a SIGKILL's beginExit, a group stop counting the tasks, the orphaned-group check of a stop signal, a
 *       task leaving its process), never the other way round.</li>
 *   <li>The task-tree lock, the {@code PidNamespace} monitor: the tree (parents, children, each process's task
 *       list, zombie state) and the ID tables. Nothing under it blocks, sleeps or calls the platform.</li>
 *   <li>A {@code ThreadGroup}'s own monitor: its exit status.</li>
 *   <li>The {@code FutexTable} monitor, then a {@code MemoryManager}'s lock (the value check and the atomic
 *       operations read and write workload memory under both).</li>
 * </ol>
 * {@code WaitQueue}s and {@code Waiter}s take no lock a caller could hold: notify from anywhere. A process's
 * {@code CpuTimes} monitor is a leaf: taken last (under the tree lock when wait reaps a child), it only reads
 * CPU clocks under it.
 *
 * <h2>Ending tasks</h2>
 * {@code ThreadGroup.beginExit} (exit_group, a fatal fault, a kill) marks the process as exiting and interrupts
 * every task: one in user mode is stopped by its platform context, one blocked in a {@code Waiter} returns
 * {@code -EINTR}; each task loop then ends and runs {@code TaskExit}. A task is never ended from another thread.
 */
package dev.jvisor.sentry.kernel;
