package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Log;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Platform;
import java.util.concurrent.CompletableFuture;

/**
 * Starts a cloned task on a Java platform thread of its own. That thread creates the task's platform context
 * and, for a new process, its address space and the copy of the parent's memory (a ptrace stub can only be
 * driven by the thread that traces it). The parent waits only for that set-up, then returns from clone.
 */
public final class TaskStart {
    private TaskStart() {}

    /** What the new thread does before the task runs; throws an ErrnoException to fail the clone. */
    @FunctionalInterface
    public interface Setup {
        void run(Task child);
    }

    /**
     * Starts {@code child} (already in the process tree). With {@code forkFrom} non-null the child gets a new
     * address space holding a copy of that task's memory; otherwise it must already share one. Returns 0, or
     * {@code -errno} when the set-up failed, in which case the child is gone and reaped.
     */
    public static long start(Task parent, Task child, boolean forkMemory, Setup after) {
        Platform platform = parent.kernel().platform();
        CompletableFuture<Long> ready = new CompletableFuture<>();
        // The parent's half of fork runs here, on its own thread: only that thread may change its host mappings.
        MemoryManager.Fork fork;
        try {
            fork = forkMemory ? parent.mm().forkBegin(MemoryManager.EAGER_FORK) : null;
        } catch (ErrnoException e) {
            abandon(child);
            return e.ret();
        }
        Runnable body = () -> {
            try {
                child.context(platform.newContext());
                if (fork != null) {
                    AddressSpace as = platform.newAddressSpace();
                    child.mm(fork.finish(as));
                }
                child.context().setFpState(child.fpState());
                if (after != null) {
                    after.run(child);
                }
            } catch (ErrnoException e) {
                ready.complete(e.ret());
            } catch (RuntimeException | Error e) {
                Log.warn("clone: setting up task " + child.tid() + " failed", e);
                ready.complete(Errno.ENOMEM.ret());
            }
            if (!ready.isDone()) {
                ready.complete(0L);
                child.run();
                return;
            }
            if (fork != null) {
                fork.cancel();
            }
            abandon(child);
        };
        try {
            Thread.ofPlatform().name("task-" + child.tid()).daemon(true).start(body);
        } catch (OutOfMemoryError e) {
            // No host thread to be had: clone fails with EAGAIN, as Linux does when it runs out of tasks.
            Log.warn("clone: cannot start a thread for task " + child.tid(), e);
            if (fork != null) {
                fork.cancel();
            }
            abandon(child);
            return Errno.EAGAIN.ret();
        }
        return ready.join();
    }

    /** A child whose set-up failed leaves without a trace: its resources go, and its zombie is reaped. */
    private static void abandon(Task child) {
        child.clearChildTid(0); // it never ran: nothing may be written on its behalf
        child.exit();
        TaskExit.exit(child);
        ThreadGroup g = child.threadGroup();
        PidNamespace ns = g.namespace();
        synchronized (ns) {
            if (g.zombie()) {
                TaskExit.reap(child.kernel(), ns, g);
            }
        }
    }
}
