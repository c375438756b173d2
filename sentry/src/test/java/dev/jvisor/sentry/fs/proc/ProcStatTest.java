package dev.jvisor.sentry.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.PidNamespace;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import org.junit.jupiter.api.Test;

/** /proc/[pid]/stat as proc(5) lays it out, from the kernel's process tree (no platform, no memory). */
class ProcStatTest {
    private final Kernel kernel = new Kernel(null, null, null, "sandbox");
    private final PidNamespace ns = kernel.pids();

    private Task task(ThreadGroup g, int tid, String comm) {
        Task t = new Task(kernel, g, tid, new Credentials(0, 0, new int[0]));
        t.comm(comm);
        return t;
    }

    private Task init() {
        return task(ThreadGroup.newInit(ns, ns.allocate()), 1, "init");
    }

    private Task fork(Task parent, String comm) {
        int pid = ns.allocate();
        return task(ThreadGroup.forked(parent.threadGroup(), false, pid, Signals.SIGCHLD), pid, comm);
    }

    /** The fields after "(comm)", numbered as proc(5) numbers them: index 3 is the state. */
    private static String[] fields(String line) {
        assertEquals('\n', line.charAt(line.length() - 1));
        int close = line.lastIndexOf(')');
        String[] rest = line.substring(close + 2, line.length() - 1).split(" ");
        String[] f = new String[rest.length + 3];
        f[1] = line.substring(0, line.indexOf(' '));
        f[2] = line.substring(line.indexOf('(') + 1, close);
        System.arraycopy(rest, 0, f, 3, rest.length);
        return f;
    }

    @Test
    void initHas52FieldsPidOneParentZeroAndLeadsItsGroupAndSession() {
        Task init = init();
        String[] f = fields(ProcStat.line(init, 1, 0, 0));
        assertEquals(53, f.length, "52 fields");
        assertEquals("1", f[1]);
        assertEquals("init", f[2]);
        assertEquals("S", f[3], "a task other than the reader is shown sleeping");
        assertEquals("0", f[4], "ppid: init's parent is outside the namespace");
        assertEquals("1", f[5], "pgrp");
        assertEquals("1", f[6], "session");
        assertEquals("0", f[7], "tty_nr: no controlling terminal");
        assertEquals("-1", f[8], "tpgid");
        assertEquals("1", f[20], "num_threads");
        assertEquals("18446744073709551615", f[25], "rsslim: RLIMIT_RSS is unlimited, printed unsigned");
        assertEquals("17", f[38], "exit_signal");
    }

    @Test
    void aForkedChildShowsItsParentAndInheritsGroupAndSession() {
        Task init = init();
        Task child = fork(init, "sh");
        String[] f = fields(ProcStat.line(child, child.pid(), 0, 0));
        assertEquals(Integer.toString(child.pid()), f[1]);
        assertEquals("1", f[4]);
        assertEquals("1", f[5]);
        assertEquals("1", f[6]);
    }

    @Test
    void aCommWithSpacesAndParenthesesIsShownAsIsAndTheFieldsFollowTheLastParenthesis() {
        Task init = init();
        Task child = fork(init, "a) (b c");
        String line = ProcStat.line(child, child.pid(), 0, 0);
        assertEquals(child.pid() + " (a) (b c) S 1 ", line.substring(0, line.indexOf(" 1 ") + 3));
        assertEquals(53, fields(line).length);
    }

    @Test
    void numThreadsCountsTheLiveTasksOfTheProcessAndEachTaskHasItsOwnId() {
        Task init = init();
        Task second = task(init.threadGroup(), ns.allocate(), "worker");
        assertEquals("2", fields(ProcStat.line(init, 1, 0, 0))[20]);
        String[] f = fields(ProcStat.line(second, second.tid(), 0, 0));
        assertEquals(Integer.toString(second.tid()), f[1]);
        assertEquals("worker", f[2]);
        assertEquals("2", f[20]);
        assertEquals("0", f[4], "a thread's ppid is its process's");
    }

    @Test
    void startTimeIsInClockTicksSinceBoot() {
        Task init = init();
        long boot = 1_000_000_000L;
        assertEquals("250", fields(ProcStat.line(init, 1, boot, boot + 2_500_000_000L))[22]);
        assertEquals("0", fields(ProcStat.line(init, 1, boot, boot))[22]);
    }

    @Test
    void anExitedTaskIsAZombieWithItsWaitStatusAsExitCode() {
        Task init = init();
        Task child = fork(init, "child");
        child.threadGroup().beginExit(3 << 8);
        child.exit(3 << 8);
        String[] f = fields(ProcStat.line(child, child.pid(), 0, 0));
        assertEquals("Z", f[3]);
        assertEquals("768", f[52], "exit_code, in waitpid(2)'s form");
        assertEquals("0", f[23], "vsize");
        assertEquals("0", f[24], "rss");
        assertEquals("Z (zombie)", ProcStat.stateName('Z'));
    }

    @Test
    void blockedIgnoredAndCaughtSignalsAreDecimalMasks() {
        Task init = init();
        init.signalActions(new dev.jvisor.sentry.kernel.SignalActions());
        init.signalActions().set(Signals.SIGINT, Signals.SIG_IGN, 0, 0, 0);
        init.signalActions().set(Signals.SIGUSR1, 0x401000, 0, 0, 0);
        init.signalMask(1L << (Signals.SIGTERM - 1));
        String[] f = fields(ProcStat.line(init, 1, 0, 0));
        assertEquals(Long.toString(1L << (Signals.SIGTERM - 1)), f[32], "blocked");
        assertEquals(Long.toString(1L << (Signals.SIGINT - 1)), f[33], "sigignore");
        assertEquals(Long.toString(1L << (Signals.SIGUSR1 - 1)), f[34], "sigcatch");
    }
}
