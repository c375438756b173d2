package dev.jvisor.sentry.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Signals;
import org.junit.jupiter.api.Test;

/** PIDs, the process tree, zombies and reparenting, without a platform. */
class PidNamespaceTest {
    private final Kernel kernel = new Kernel(null, null, null, "sandbox");
    private final PidNamespace ns = kernel.pids();

    private Task newTask(ThreadGroup g, int tid) {
        return new Task(kernel, g, tid, new Credentials(0, 0, new int[0]));
    }

    private Task fork(Task parent) {
        int pid = ns.allocate();
        ThreadGroup g = ThreadGroup.forked(parent.threadGroup(), false, pid, Signals.SIGCHLD);
        return newTask(g, pid);
    }

    private Task init() {
        ThreadGroup g = ThreadGroup.newInit(ns, ns.allocate());
        return newTask(g, g.pid());
    }

    @Test
    void initIsPidOneWithParentZeroAndChildrenCountUp() {
        Task init = init();
        assertEquals(1, init.pid());
        assertEquals(0, init.threadGroup().ppid());
        Task child = fork(init);
        assertEquals(2, child.pid());
        assertEquals(1, child.threadGroup().ppid());
        assertSame(child, ns.task(2));
        assertSame(init.threadGroup(), ns.init());
    }

    @Test
    void theTaskCapMakesAllocationFailWithEagain() {
        ns.maxTasks(2);
        Task init = init();
        fork(init);
        assertEquals(Errno.EAGAIN.ret(), ns.allocate());
    }

    @Test
    void anAbandonedIdIsFreeAgainAndALiveOneIsNeverReused() {
        Task init = init();
        int id = ns.allocate();
        ns.abandon(id);
        assertNull(ns.task(id));
        for (int i = 0; i < 10; i++) {
            int n = ns.allocate();
            assertTrue(n != init.tid(), "a live TID was handed out again");
            ns.abandon(n);
        }
    }

    @Test
    void aDeadChildIsAZombieUntilReapedAndItsChildrenGoToInit() {
        Task init = init();
        Task child = fork(init);
        Task grandchild = fork(child);
        assertEquals(child.pid(), grandchild.threadGroup().ppid());

        child.exit(3 << 8);
        TaskExit.exit(child);
        assertEquals(init.pid(), grandchild.threadGroup().ppid(), "orphans are reparented to init");
        assertTrue(ns.group(child.pid()) != null, "the zombie keeps its PID until reaped");

        int[] out = new int[2];
        assertEquals(child.pid(), ChildWait.await(init, ChildWait.Select.PID, child.pid(),
                ChildWait.WEXITED | ChildWait.WNOHANG | ChildWait.WNOWAIT, out));
        assertEquals(3 << 8, out[0]);
        assertEquals(child.pid(), ChildWait.await(init, ChildWait.Select.ANY, 0,
                ChildWait.WEXITED | ChildWait.WNOHANG, out));
        assertNull(ns.group(child.pid()));
        // The grandchild is alive: WNOHANG finds nothing ready, but it is a child now.
        assertEquals(0, ChildWait.await(init, ChildWait.Select.ANY, 0, ChildWait.WEXITED | ChildWait.WNOHANG, out));
        assertEquals(Errno.ECHILD.ret(), ChildWait.await(init, ChildWait.Select.PID, 999,
                ChildWait.WEXITED | ChildWait.WNOHANG, out));
    }

    @Test
    void aCloneChildIsSeenOnlyWithWcloneOrWall() {
        Task init = init();
        int pid = ns.allocate();
        Task c = newTask(ThreadGroup.forked(init.threadGroup(), false, pid, 0), pid);
        TaskExit.exit(c);
        int[] out = new int[2];
        int opts = ChildWait.WEXITED | ChildWait.WNOHANG;
        assertEquals(Errno.ECHILD.ret(), ChildWait.await(init, ChildWait.Select.ANY, 0, opts, out));
        assertEquals(pid, ChildWait.await(init, ChildWait.Select.ANY, 0, opts | ChildWait.WCLONE | ChildWait.WNOWAIT,
                out));
        assertEquals(pid, ChildWait.await(init, ChildWait.Select.ANY, 0, opts | ChildWait.WALL, out));
    }

    @Test
    void aThreadsExitLeavesTheProcessAliveAndTheLastOneEndsIt() {
        Task init = init();
        Task child = fork(init);
        int tid = ns.allocate();
        Task thread = newTask(child.threadGroup(), tid);
        thread.exit(0);
        TaskExit.exit(thread);
        assertNull(ns.task(tid));
        assertEquals(1, child.threadGroup().taskCount());
        assertTrue(!child.threadGroup().exiting());
        child.exit(5 << 8);
        TaskExit.exit(child);
        assertEquals(5 << 8, child.threadGroup().exitStatus());
    }
}
