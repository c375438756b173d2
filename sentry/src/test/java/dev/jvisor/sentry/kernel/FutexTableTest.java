package dev.jvisor.sentry.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Signals;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** futex(2)'s queue semantics, with Java threads standing in for task threads. */
class FutexTableTest {
    private final FutexTable table = new FutexTable();
    private final Kernel kernel = new Kernel(null, null, null, "sandbox");
    private final FutexTable.Key key = new FutexTable.Key(this, 0x1000);
    private final FutexTable.Key other = new FutexTable.Key(this, 0x2000);
    private final AtomicInteger word = new AtomicInteger();

    private Task task() {
        return new Task(kernel, new ThreadGroup(1, 0), 1, new Credentials(0, 0, new int[0]));
    }

    /** Starts a waiter on its own thread; returns its result once it is queued. */
    private CompletableFuture<Integer> waitOn(Task t, FutexTable.Key k, int bitset) throws InterruptedException {
        CompletableFuture<Integer> r = new CompletableFuture<>();
        int before = table.waiters(k);
        Thread.ofPlatform().start(() -> {
            t.waiter().bind(Thread.currentThread());
            r.complete(table.wait(t, k, word::get, 0, bitset, Waiter.FOREVER));
        });
        for (int i = 0; i < 1000 && table.waiters(k) == before && !r.isDone(); i++) {
            Thread.sleep(5);
        }
        return r;
    }

    @Test
    void waitWithAChangedValueIsEagainAndQueuesNothing() {
        word.set(1);
        Task t = task();
        t.waiter().bind(Thread.currentThread());
        assertEquals(Errno.EAGAIN.ret(), table.wait(t, key, word::get, 0, FutexTable.MATCH_ANY, Waiter.FOREVER));
        assertEquals(0, table.waiters(key));
    }

    @Test
    void waitTimesOutAndLeavesTheQueue() {
        Task t = task();
        t.waiter().bind(Thread.currentThread());
        long deadline = System.nanoTime() + 20_000_000;
        assertEquals(Errno.ETIMEDOUT.ret(), table.wait(t, key, word::get, 0, FutexTable.MATCH_ANY, deadline));
        assertEquals(0, table.waiters(key));
    }

    @Test
    void wakeCountsTheWaitersItWakes() throws Exception {
        CompletableFuture<Integer> a = waitOn(task(), key, FutexTable.MATCH_ANY);
        CompletableFuture<Integer> b = waitOn(task(), key, FutexTable.MATCH_ANY);
        assertEquals(1, table.wake(key, 1, FutexTable.MATCH_ANY));
        assertEquals(1, table.wake(key, 5, FutexTable.MATCH_ANY));
        assertEquals(0, table.wake(key, 5, FutexTable.MATCH_ANY));
        assertEquals(0, a.get(5, TimeUnit.SECONDS));
        assertEquals(0, b.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aWakeOfZeroStillWakesOne() throws Exception {
        CompletableFuture<Integer> a = waitOn(task(), key, FutexTable.MATCH_ANY);
        assertEquals(1, table.wake(key, 0, FutexTable.MATCH_ANY));
        assertEquals(0, a.get(5, TimeUnit.SECONDS));
    }

    @Test
    void bitsetWakesOnlyOverlappingWaiters() throws Exception {
        CompletableFuture<Integer> one = waitOn(task(), key, 1);
        CompletableFuture<Integer> two = waitOn(task(), key, 2);
        assertEquals(1, table.wake(key, 5, 2));
        assertEquals(0, two.get(5, TimeUnit.SECONDS));
        assertFalse(one.isDone());
        assertEquals(1, table.wake(key, 5, 1));
        assertEquals(0, one.get(5, TimeUnit.SECONDS));
    }

    @Test
    void requeueWakesSomeAndMovesTheRest() throws Exception {
        CompletableFuture<Integer> a = waitOn(task(), key, FutexTable.MATCH_ANY);
        CompletableFuture<Integer> b = waitOn(task(), key, FutexTable.MATCH_ANY);
        CompletableFuture<Integer> c = waitOn(task(), key, FutexTable.MATCH_ANY);
        assertEquals(Errno.EAGAIN.ret(), table.requeue(key, other, 1, 2, () -> false));
        assertEquals(3, table.requeue(key, other, 1, 2, () -> true));
        assertEquals(0, table.waiters(key));
        assertEquals(2, table.waiters(other));
        assertEquals(2, table.wake(other, 5, FutexTable.MATCH_ANY));
        assertEquals(0, a.get(5, TimeUnit.SECONDS) + b.get(5, TimeUnit.SECONDS) + c.get(5, TimeUnit.SECONDS));
    }

    @Test
    void wakeOpWakesTheSecondOnlyWhenTheComparisonHolds() throws Exception {
        CompletableFuture<Integer> a = waitOn(task(), other, FutexTable.MATCH_ANY);
        assertEquals(0, table.wakeOp(key, other, 1, 1, () -> false));
        assertEquals(1, table.wakeOp(key, other, 1, 1, () -> true));
        assertEquals(0, a.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aKilledWaiterStopsWaitingAndLeavesNoWaiterBehind() throws Exception {
        Task t = task();
        CompletableFuture<Integer> r = waitOn(t, key, FutexTable.MATCH_ANY);
        t.threadGroup().beginExit(Signals.SIGKILL); // interrupts every task of the group
        // The wait ends with the kernel-internal restart code; the dying task never returns to user mode.
        assertEquals(Errno.ERESTARTSYS.ret(), (long) r.get(5, TimeUnit.SECONDS));
        assertEquals(0, table.waiters(key));
    }
}
