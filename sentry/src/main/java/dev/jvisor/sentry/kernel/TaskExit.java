package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.vfs.FdTable;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens when a task ends, in Linux's order: its robust futexes and CLONE_CHILD_CLEARTID word while its
 * memory is still there, its vfork parent released, its stub thread, address space, fd table given up, and
 * finally its place in the process tree. The last task of a process makes it a zombie: its children go to
 * init (or the nearest child subreaper), and its parent is told (or reaps it at once when it ignores SIGCHLD). When init's last task ends, every
 * other task in the sandbox is killed first, as Linux does when a PID namespace's init dies.
 */
public final class TaskExit {
    private TaskExit() {}

    /** How long init's exit waits for the other tasks it killed. They always go; this only bounds a bug. */
    private static final long KILL_WAIT_MILLIS = 10_000;

    /** Runs on the task's own thread when its loop has ended (normally or not). */
    static void exit(Task t) {
        Kernel k = t.kernel();
        ThreadGroup tg = t.threadGroup();
        PidNamespace ns = tg.namespace();
        MemoryManager mm = t.mm();
        tg.cpu().taskExited(t);
        if (mm != null) {
            releaseFutexes(t, mm);
        }
        releaseVfork(t);
        k.unregister(t);

        // Whether this is the process's last task is decided once, here: two threads exiting together must
        // not both see the other still alive.
        boolean last;
        boolean stopComplete;
        ProcessSignals ps = tg.signals();
        synchronized (ps) {
            // Under the signal lock, so a group stop starting now either counts this task or does not, and a
            // stop that counted it is not kept waiting for it.
            synchronized (ns) {
                tg.liveTasks().remove(t);
                last = tg.liveTasks().isEmpty();
            }
            stopComplete = ps.participate(t);
        }
        if (stopComplete && !last && !tg.exiting()) {
            int sig = ps.stopSignal();
            if (sig != 0) {
                JobControl.stopped(k, tg, sig, t.creds().uid);
            }
        }
        if (last && tg == ns.init()) {
            killAllButInit(ns, tg);
        }

        if (last) {
            tg.cpu().detach(mm); // the stub's CPU time is final: read it before the stub goes
        }
        Context c = t.context();
        if (c != null) {
            c.release();
        }
        if (mm != null) {
            mm.release();
        }
        FdTable fds = t.fdTable();
        if (fds != null) {
            fds.release();
        }

        ThreadGroup parentToSignal = null;
        List<ThreadGroup> orphans = null;
        List<ThreadGroup> hangUps = null;
        synchronized (ns) {
            ns.remove(t);
            if (last) {
                orphans = tg == ns.init() ? null : new ArrayList<>(tg.children());
                tg.exitedWith(t.exitStatus());
                tg.exitUid(t.creds().uid);
                parentToSignal = becomeZombie(k, ns, tg);
                hangUps = ProcessGroups.orphanedByExit(ns, tg, orphans);
            } else {
                orphans = adoptByThread(tg, t);
            }
        }
        if (parentToSignal != null) {
            // Outside the tree lock: sending takes the parent's signal lock, which may be held while the tree
            // lock is taken (a SIGKILL's beginExit), never the other way round.
            sendExitSignal(k, tg, parentToSignal);
        }
        if (last && tg.sid() == tg.pid()) {
            ControllingTerminal.sessionLeaderExited(tg);
        }
        if (orphans != null) {
            sendDeathSignals(k, tg, orphans, t.creds().uid);
        }
        if (hangUps != null && !hangUps.isEmpty()) {
            ProcessGroups.hangUp(k, hangUps);
        }
        tg.taskExits().notify(WaitQueue.ALL);
        if (last) {
            tg.finishExit();
        }
    }

    /**
     * A thread that is not its process's last leaves the children it forked to another live thread of the
     * process, and they get their PR_SET_PDEATHSIG (Linux's forget_original_parent: the parent is a thread).
     * Returns those children, or null. Tree lock held.
     */
    private static List<ThreadGroup> adoptByThread(ThreadGroup tg, Task dead) {
        if (tg.liveTasks().isEmpty()) {
            return null; // the last thread left meanwhile: its exit hands every child on and signals them
        }
        List<ThreadGroup> bereaved = null;
        for (ThreadGroup c : tg.children()) {
            if (c.parentTask() == dead) {
                c.parentTask(tg.liveTasks().getFirst());
                if (bereaved == null) {
                    bereaved = new ArrayList<>();
                }
                bereaved.add(c);
            }
        }
        return bereaved;
    }

    /** Robust futexes owned by the task get FUTEX_OWNER_DIED; the CLONE_CHILD_CLEARTID word is zeroed and woken. */
    public static void releaseFutexes(Task t, MemoryManager mm) {
        RobustList.release(t, mm);
        long ctid = t.clearChildTid();
        if (ctid != 0) {
            t.clearChildTid(0);
            // Linux skips this when nobody else uses the memory: no one could see it.
            if (mm.users() > 1) {
                try {
                    mm.writeInt(ctid, 0);
                    t.kernel().futexes().wake(FutexTable.key(mm, ctid, false), 1, FutexTable.MATCH_ANY);
                } catch (ErrnoException e) {
                    // An unmapped or read-only word: Linux ignores the fault too.
                }
            }
        }
    }

    /** Lets a vfork parent go on: its child has exec'd or is exiting. */
    public static void releaseVfork(Task t) {
        Completion c = t.vforkDone();
        if (c != null) {
            t.vforkDone(null);
            c.complete();
        }
    }

    private static void killAllButInit(PidNamespace ns, ThreadGroup init) {
        List<ThreadGroup> others = ns.groupsExcept(init);
        for (ThreadGroup g : others) {
            g.beginExit(Signals.SIGKILL);
        }
        if (!ns.awaitLiveTasksAtMost(1, KILL_WAIT_MILLIS)) {
            Log.warn("init exited; killed tasks did not end within " + KILL_WAIT_MILLIS + " ms: "
                    + ns.describeLive());
        }
    }

    /**
     * The process's last task is gone (tree lock held): its children go to init, and its parent learns of its
     * end, or reaps it at once if the parent ignores SIGCHLD. Returns the parent to send the exit signal to, or
     * null.
     */
    private static ThreadGroup becomeZombie(Kernel k, PidNamespace ns, ThreadGroup tg) {
        ThreadGroup init = ns.init();
        if (tg != init && init != null) {
            ThreadGroup reaper = reaper(tg, init);
            Task adopter = reaper.liveTasks().isEmpty() ? null : reaper.liveTasks().getFirst();
            for (ThreadGroup c : new ArrayList<>(tg.children())) {
                c.parent(reaper);
                c.parentTask(adopter);
                reaper.children().add(c);
                if (c.zombie()) {
                    reaper.childEvents().notify(WaitQueue.ALL);
                }
            }
            tg.children().clear();
        }
        ThreadGroup parent = tg.parent();
        tg.zombie(true);
        if (parent == null) {
            return null; // init: its parent is outside the sandbox, which waits through Sandbox.waitExit
        }
        if (tg.exitSignal() == Signals.SIGCHLD && ignoresChildren(parent)) {
            reap(k, ns, tg);
            parent.childEvents().notify(WaitQueue.ALL); // a waiter may now have no children: ECHILD
            return null;
        }
        tg.notifyParentOfExit();
        return tg.exitSignal() > 0 ? parent : null;
    }

    /**
     * The exit signal (SIGCHLD unless clone chose another) to the parent, with si_code CLD_EXITED and the exit
     * code, or CLD_KILLED and the signal, as wait(2)'s siginfo describes the child.
     */
    private static void sendExitSignal(Kernel k, ThreadGroup child, ThreadGroup parent) {
        int status = child.exitStatus();
        int termSig = status & 0x7f;
        SignalInfo info = termSig == 0
                ? SignalInfo.child(SigInfo.CLD_EXITED, child.pid(), child.exitUid(), (status >> 8) & 0xff)
                : SignalInfo.child(SigInfo.CLD_KILLED, child.pid(), child.exitUid(), termSig);
        if (child.exitSignal() != Signals.SIGCHLD) {
            info = SignalInfo.fromProcess(child.exitSignal(), SigInfo.CLD_EXITED, child.pid(), child.exitUid());
        }
        SignalDelivery.sendToProcess(k, parent, info);
    }



    /**
     * PR_SET_PDEATHSIG: each task of a child whose parent thread exited (see {@link #adoptByThread}; the last
     * thread takes every remaining child) that asked for a signal gets it, sent to its process as from the
     * parent (SI_USER), as Linux's forget_original_parent does.
     */
    private static void sendDeathSignals(Kernel k, ThreadGroup dead, List<ThreadGroup> orphans, int uid) {
        for (ThreadGroup c : orphans) {
            for (Task ct : c.tasks()) {
                int sig = ct.prctlState().pdeathsig;
                if (sig > 0) {
                    SignalDelivery.sendToProcess(k, c, SignalInfo.fromProcess(sig, SigInfo.SI_USER, dead.pid(), uid));
                }
            }
        }
    }

    /**
     * Who adopts the orphans of {@code dead}: its nearest living ancestor that is a child subreaper
     * (PR_SET_CHILD_SUBREAPER), else init. Tree lock held.
     */
    private static ThreadGroup reaper(ThreadGroup dead, ThreadGroup init) {
        for (ThreadGroup a = dead.parent(); a != null && a != init; a = a.parent()) {
            Task any = a.liveTasks().isEmpty() ? null : a.liveTasks().get(0);
            if (any != null && any.prctlState().childSubreaper) {
                return a;
            }
        }
        return init;
    }

    /** SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT: children are reaped as they die (wait(2), NOTES). */
    private static boolean ignoresChildren(ThreadGroup parent) {
        SignalActions a = parent.signalActions();
        if (a == null) {
            return false;
        }
        long[] act = new long[4];
        a.get(Signals.SIGCHLD, act);
        return act[0] == Signals.SIG_IGN || (act[1] & Signals.SA_NOCLDWAIT) != 0;
    }

    /**
     * Reaps {@code z}, a process whose parent is outside the sandbox (one started by {@code jrunsc exec}), once
     * its exit status has been collected from outside: nobody inside can wait for it. Does nothing while it runs.
     */
    public static void reapOutsideChild(Kernel k, ThreadGroup z) {
        PidNamespace ns = z.namespace();
        synchronized (ns) {
            if (z.zombie() && z.parent() == null && z != ns.init()) {
                ns.reapedOutside(z.cpu().total()); // final: no task, no stub, so no host call here
                reap(k, ns, z);
            }
        }
    }

    /** Removes a zombie for good: from its parent, the PID table and /proc. Tree lock held. */
    static void reap(Kernel k, PidNamespace ns, ThreadGroup z) {
        z.zombie(false);
        z.reaped(true);
        ThreadGroup p = z.parent();
        if (p != null) {
            p.children().remove(z);
        }
        ns.removeGroup(z);
        if (k.vfs() != null) {
            k.vfs().procfs().processes().remove(z.pid());
        }
    }
}
