package dev.jvisor.sentry.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.SigFrame;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Signal generation and the parts of delivery that need no user mode: queueing rules, default actions, job
 * control, syscall restart and the alternate stack. Frames and handlers are covered by the guest programs
 * (sigdeliver, sigfault), which compare with Linux.
 */
class SignalDeliveryTest {
    private final Kernel kernel = new Kernel(null, null, null, "test");
    private final ThreadGroup tg = new ThreadGroup(1, 0);
    private final Task task = new Task(kernel, tg, 1, new Credentials(1000, 1000, new int[0]));

    SignalDeliveryTest() {
        kernel.register(task);
    }

    private static SignalInfo user(int sig) {
        return SignalInfo.fromProcess(sig, SigInfo.SI_USER, 7, 1000);
    }

    @Test
    void standardSignalsCoalesceAndRealTimeSignalsQueueInOrder() {
        SignalQueue q = new SignalQueue();
        assertTrue(q.enqueue(user(Signals.SIGUSR1)));
        assertFalse(q.enqueue(user(Signals.SIGUSR1)), "a pending standard signal absorbs the next");
        SignalInfo first = SignalInfo.fromProcess(40, SigInfo.SI_QUEUE, 1, 0);
        SignalInfo second = SignalInfo.fromProcess(40, SigInfo.SI_QUEUE, 2, 0);
        assertTrue(q.enqueue(first));
        assertTrue(q.enqueue(second));
        assertEquals(Signals.SIGUSR1, q.next(-1L), "lowest number first");
        assertEquals(Signals.SIGUSR1, q.dequeue(Signals.SIGUSR1).signo());
        assertNull(q.dequeue(Signals.SIGUSR1));
        assertEquals(40, q.next(-1L));
        assertEquals(first, q.dequeue(40));
        assertTrue(q.isPending(40), "the second instance is still queued");
        assertEquals(second, q.dequeue(40));
        assertEquals(0, q.bits());
    }

    @Test
    void faultsAreTakenBeforeLowerNumberedSignals() {
        SignalQueue q = new SignalQueue();
        q.enqueue(user(Signals.SIGHUP));
        q.enqueue(SignalInfo.fault(Signals.SIGSEGV, SigInfo.SEGV_MAPERR, 0x10));
        assertEquals(Signals.SIGSEGV, q.next(-1L));
        assertEquals(Signals.SIGHUP, q.next(~SignalQueue.bit(Signals.SIGSEGV)));
    }

    @Test
    void defaultActionsFollowSignal7() {
        assertEquals(SignalDelivery.Default.TERM, SignalDelivery.defaultAction(Signals.SIGTERM));
        assertEquals(SignalDelivery.Default.TERM, SignalDelivery.defaultAction(Signals.SIGRTMIN + 5));
        assertEquals(SignalDelivery.Default.CORE, SignalDelivery.defaultAction(Signals.SIGSEGV));
        assertEquals(SignalDelivery.Default.CORE, SignalDelivery.defaultAction(Signals.SIGABRT));
        assertEquals(SignalDelivery.Default.STOP, SignalDelivery.defaultAction(Signals.SIGTSTP));
        assertEquals(SignalDelivery.Default.CONTINUE, SignalDelivery.defaultAction(Signals.SIGCONT));
        assertEquals(SignalDelivery.Default.IGNORE, SignalDelivery.defaultAction(Signals.SIGCHLD));
        assertEquals(SignalDelivery.Default.IGNORE, SignalDelivery.defaultAction(Signals.SIGWINCH));
    }

    @Test
    void anIgnoredUnblockedSignalIsDroppedButABlockedOneStaysPending() {
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGCHLD));
        assertEquals(0, SignalDelivery.pending(task), "SIGCHLD's default is to ignore");
        task.signalMask(SignalQueue.bit(Signals.SIGCHLD));
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGCHLD));
        assertEquals(SignalQueue.bit(Signals.SIGCHLD), SignalDelivery.pending(task));
        assertFalse(task.interrupted(), "a blocked signal does not interrupt");
        task.signalMask(0);
        assertTrue(task.interrupted(), "unblocked, it does");
        SignalDelivery.beforeUserMode(task, false);
        assertEquals(0, SignalDelivery.pending(task));
        assertFalse(tg.exiting());
    }

    @Test
    void aTerminatingSignalEndsTheProcessWithItsNumberAsWaitStatus() {
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGTERM));
        SignalDelivery.beforeUserMode(task, false);
        assertTrue(tg.exiting());
        assertEquals(Signals.SIGTERM, tg.exitStatus(), "no core bit: no core file is written");
    }

    @Test
    void sigkillCannotBeBlockedAndEndsTheProcessAtOnce() {
        task.signalMask(-1L);
        assertEquals(0, task.signalMask() & SignalQueue.bit(Signals.SIGKILL));
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGKILL));
        assertTrue(tg.exiting());
        assertEquals(Signals.SIGKILL, tg.exitStatus());
    }

    @Test
    void aStoppedProcessStaysOutOfUserModeUntilSigcont() throws Exception {
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGSTOP));
        Thread runner = Thread.ofPlatform().start(() -> {
            task.waiter().bind(Thread.currentThread());
            SignalDelivery.beforeUserMode(task, false);
        });
        waitFor(() -> tg.signals().stopped());
        Thread.sleep(50);
        assertTrue(runner.isAlive(), "stopped");
        assertEquals(Signals.SIGSTOP, tg.signals().stopSignal());
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGCONT));
        runner.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(runner.isAlive(), "SIGCONT resumes it");
        assertFalse(tg.signals().stopped());
        assertFalse(tg.exiting(), "SIGCONT's default action is to continue, nothing else");
    }

    /**
     * A group stop is complete, and reported to the parent, only once every thread of the process has stopped
     * (kernel/signal.c: do_signal_stop counts group_stop_count; task_participate_group_stop notifies at 0).
     */
    @Test
    void aGroupStopCompletesOnlyWhenEveryThreadHasStopped() throws Exception {
        Task second = new Task(kernel, tg, 2, task.creds());
        kernel.register(second);
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGSTOP));
        Thread first = Thread.ofPlatform().start(() -> {
            task.waiter().bind(Thread.currentThread());
            SignalDelivery.beforeUserMode(task, false);
        });
        waitFor(() -> tg.signals().stopped());
        Thread.sleep(50);
        synchronized (tg.signals()) {
            assertFalse(tg.signals().stopComplete(), "one thread of two has stopped: not yet a completed stop");
        }
        Thread other = Thread.ofPlatform().start(() -> {
            second.waiter().bind(Thread.currentThread());
            SignalDelivery.beforeUserMode(second, false);
        });
        waitFor(() -> {
            synchronized (tg.signals()) {
                return tg.signals().stopComplete();
            }
        });
        assertTrue(first.isAlive() && other.isAlive(), "both stay stopped");
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGCONT));
        first.join(TimeUnit.SECONDS.toMillis(10));
        other.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(first.isAlive() || other.isAlive(), "SIGCONT resumes both");
        synchronized (tg.signals()) {
            assertFalse(tg.signals().stopComplete());
        }
    }

    @Test
    void sigkillEndsAStop() throws Exception {
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGTSTP));
        Thread runner = Thread.ofPlatform().start(() -> {
            task.waiter().bind(Thread.currentThread());
            SignalDelivery.beforeUserMode(task, false);
        });
        waitFor(() -> tg.signals().stopped());
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGKILL));
        runner.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(runner.isAlive());
        assertEquals(Signals.SIGKILL, tg.exitStatus());
    }

    @Test
    void sigcontDiscardsPendingStopSignalsAndAStopDiscardsSigcont() {
        task.signalMask(SignalQueue.bit(Signals.SIGTSTP) | SignalQueue.bit(Signals.SIGCONT));
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGTSTP));
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGCONT));
        assertEquals(SignalQueue.bit(Signals.SIGCONT), SignalDelivery.pending(task));
        SignalDelivery.sendToProcess(kernel, tg, user(Signals.SIGTSTP));
        assertEquals(SignalQueue.bit(Signals.SIGTSTP), SignalDelivery.pending(task));
    }

    @Test
    void withoutAHandlerAnInterruptedSyscallRestarts() {
        task.regs().rip(0x1002);
        task.args().nr = Sysno.READ;
        task.regs().rax(Errno.ERESTARTSYS.ret());
        SignalDelivery.beforeUserMode(task, true);
        assertEquals(Sysno.READ, task.regs().rax());
        assertEquals(0x1000, task.regs().rip(), "back on the syscall instruction");

        task.regs().rip(0x2002);
        task.args().nr = Sysno.NANOSLEEP;
        task.regs().rax(Errno.ERESTART_RESTARTBLOCK.ret());
        SignalDelivery.beforeUserMode(task, true);
        assertEquals(Sysno.RESTART_SYSCALL, task.regs().rax(), "through restart_syscall(2)");
        assertEquals(0x2000, task.regs().rip());

        task.regs().rip(0x3002);
        task.regs().rax(Errno.ERESTARTSYS.ret());
        SignalDelivery.beforeUserMode(task, false);
        assertEquals(0x3002, task.regs().rip(), "only a syscall's result is restarted");
    }

    @Test
    void rtSigsuspendsMaskComesBackWhenNoHandlerRuns() {
        task.signals().saveMask(SignalQueue.bit(Signals.SIGUSR1));
        task.signalMask(0);
        SignalDelivery.beforeUserMode(task, false);
        assertEquals(SignalQueue.bit(Signals.SIGUSR1), task.signalMask());
    }

    @Test
    void realTimeSignalsFromSigqueueAreCappedByRlimitSigpending() {
        tg.rlimits().set(Rlimits.SIGPENDING, 2, 2);
        task.signalMask(-1L);
        for (int i = 0; i < 2; i++) {
            assertEquals(0, SignalDelivery.sendToProcess(kernel, tg, SignalInfo.fromProcess(40, SigInfo.SI_QUEUE, 1, 0)));
        }
        assertEquals(Errno.EAGAIN.ret(), SignalDelivery.sendToProcess(kernel, tg,
                SignalInfo.fromProcess(40, SigInfo.SI_QUEUE, 1, 0)));
        SignalDelivery.dequeue(task, SignalQueue.bit(40));
        assertEquals(0, SignalDelivery.sendToProcess(kernel, tg, SignalInfo.fromProcess(40, SigInfo.SI_QUEUE, 1, 0)),
                "a taken signal frees its slot");
    }

    @Test
    void sigaltstackChecksLikeLinux() {
        long base = 0x10000, size = 0x8000;
        assertEquals(SigFrame.SS_DISABLE, task.signals().altStackFlags(0x7000_0000L));
        assertEquals(Errno.ENOMEM.ret(), AltStack.set(task, base, 0, 1024, 0x7000_0000L));
        assertEquals(Errno.EINVAL.ret(), AltStack.set(task, base, 7, size, 0x7000_0000L));
        assertEquals(0, AltStack.set(task, base, 0, size, 0x7000_0000L));
        assertEquals(0, task.signals().altStackFlags(0x7000_0000L));
        assertEquals(SigFrame.SS_ONSTACK, task.signals().altStackFlags(base + 0x100));
        assertEquals(Errno.EPERM.ret(), AltStack.set(task, 0, SigFrame.SS_DISABLE, 0, base + 0x100),
                "not while running on it");
        assertEquals(0, AltStack.set(task, base, SigFrame.SS_AUTODISARM, size, 0x7000_0000L));
        assertEquals(SigFrame.SS_AUTODISARM, task.signals().altStackFlags(base + 0x100),
                "with SS_AUTODISARM the stack never counts as in use");
        assertEquals(0, AltStack.set(task, base, SigFrame.SS_DISABLE, size, 0x7000_0000L));
        assertEquals(0, task.signals().altSp());
        assertEquals(0, task.signals().altSize());
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }
}
