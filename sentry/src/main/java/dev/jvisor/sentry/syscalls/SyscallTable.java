package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.kernel.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The x86-64 syscall table: one array from number to handler, built once. Every entry says how well Linux is
 * matched. A number with no entry returns ENOSYS and is logged once with its name. {@code jrunsc help syscalls}
 * prints this table, and docs/SYSCALLS.md is generated from it.
 */
public final class SyscallTable {
    /** How an entry matches Linux. */
    public enum Support { SUPPORTED, PARTIAL, ERROR }

    /** One row of the table. */
    public record Entry(int nr, String name, Support support, SyscallHandler handler, String note) {}

    private static final Entry[] TABLE = new Entry[Sysno.MAX];

    private static void supported(int nr, SyscallHandler h) {
        add(new Entry(nr, Sysno.name(nr), Support.SUPPORTED, h, ""));
    }

    private static void partial(int nr, SyscallHandler h, String note) {
        add(new Entry(nr, Sysno.name(nr), Support.PARTIAL, h, note));
    }

    private static void error(int nr, Errno errno, String note) {
        long ret = errno.ret();
        add(new Entry(nr, Sysno.name(nr), Support.ERROR, (t, a) -> ret, "returns " + errno.name() + ": " + note));
    }

    private static void add(Entry e) {
        if (TABLE[e.nr()] != null) {
            throw new IllegalStateException("syscall " + e.name() + " registered twice");
        }
        TABLE[e.nr()] = e;
    }

    static {
        // ---- files (FileSyscalls) ----
        supported(Sysno.READ, FileSyscalls::read);
        supported(Sysno.WRITE, FileSyscalls::write);
        supported(Sysno.READV, FileSyscalls::readv);
        supported(Sysno.WRITEV, FileSyscalls::writev);
        supported(Sysno.PREAD64, FileSyscalls::pread64);
        supported(Sysno.PWRITE64, FileSyscalls::pwrite64);
        supported(Sysno.OPEN, FileSyscalls::open);
        supported(Sysno.OPENAT, FileSyscalls::openat);
        supported(Sysno.CLOSE, FileSyscalls::close);
        supported(Sysno.STAT, FileSyscalls::stat);
        supported(Sysno.LSTAT, FileSyscalls::lstat);
        supported(Sysno.FSTAT, FileSyscalls::fstat);
        supported(Sysno.NEWFSTATAT, FileSyscalls::newfstatat);
        supported(Sysno.STATX, FileSyscalls::statx);
        supported(Sysno.LSEEK, FileSyscalls::lseek);
        supported(Sysno.GETDENTS64, FileSyscalls::getdents64);
        supported(Sysno.READLINK, FileSyscalls::readlink);
        supported(Sysno.READLINKAT, FileSyscalls::readlinkat);
        supported(Sysno.GETCWD, FileSyscalls::getcwd);
        supported(Sysno.CHDIR, FileSyscalls::chdir);
        supported(Sysno.FCHDIR, FileSyscalls::fchdir);
        supported(Sysno.ACCESS, FileSyscalls::access);
        supported(Sysno.FACCESSAT, FileSyscalls::faccessat);
        supported(Sysno.FACCESSAT2, FileSyscalls::faccessat2);
        partial(Sysno.FCNTL, FileSyscalls::fcntl, "F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETPIPE_SZ, F_SETPIPE_SZ");
        supported(Sysno.DUP, FileSyscalls::dup);
        supported(Sysno.DUP2, FileSyscalls::dup2);
        supported(Sysno.DUP3, FileSyscalls::dup3);
        partial(Sysno.IOCTL, FileSyscalls::ioctl, "FIONREAD on pipes; the container's terminal (process.terminal) is emulated (termios, window size, controlling tty, job control); with `do` terminal ioctls pass through to the caller's tty; ENOTTY otherwise");
        supported(Sysno.UMASK, FileSyscalls::umask);

        // ---- names and attributes (PathSyscalls; writable binds reach the host through the gofer) ----
        supported(Sysno.MKDIR, PathSyscalls::mkdir);
        supported(Sysno.MKDIRAT, PathSyscalls::mkdirat);
        supported(Sysno.UNLINK, PathSyscalls::unlink);
        supported(Sysno.UNLINKAT, PathSyscalls::unlinkat);
        supported(Sysno.RMDIR, PathSyscalls::rmdir);
        partial(Sysno.RENAME, PathSyscalls::rename, "a directory with a part in the overlay root's lower layer: EXDEV, as overlayfs without redirect_dir");
        partial(Sysno.RENAMEAT, PathSyscalls::renameat, "as rename");
        partial(Sysno.RENAMEAT2, PathSyscalls::renameat2, "as rename; RENAME_NOREPLACE only (EXCHANGE, WHITEOUT: EINVAL)");
        supported(Sysno.LINK, PathSyscalls::link);
        supported(Sysno.LINKAT, PathSyscalls::linkat);
        supported(Sysno.SYMLINK, PathSyscalls::symlink);
        supported(Sysno.SYMLINKAT, PathSyscalls::symlinkat);
        supported(Sysno.TRUNCATE, PathSyscalls::truncate);
        supported(Sysno.FTRUNCATE, PathSyscalls::ftruncate);
        supported(Sysno.CHMOD, PathSyscalls::chmod);
        supported(Sysno.FCHMOD, PathSyscalls::fchmod);
        supported(Sysno.FCHMODAT, PathSyscalls::fchmodat);
        supported(Sysno.CHOWN, PathSyscalls::chown);
        supported(Sysno.FCHOWN, PathSyscalls::fchown);
        supported(Sysno.LCHOWN, PathSyscalls::lchown);
        supported(Sysno.FCHOWNAT, PathSyscalls::fchownat);
        supported(Sysno.UTIMENSAT, PathSyscalls::utimensat);
        partial(Sysno.FSYNC, PathSyscalls::fsync, "a no-op for files kept in memory; fsync(2) of the host file in a bind");
        partial(Sysno.FDATASYNC, PathSyscalls::fdatasync, "as fsync");
        partial(Sysno.STATFS, PathSyscalls::statfs, "binds report the host filesystem; the sentry's own filesystems report tmpfs");
        partial(Sysno.FSTATFS, PathSyscalls::fstatfs, "as statfs");

        // ---- memory (MemorySyscalls) ----
        supported(Sysno.BRK, MemorySyscalls::brk);
        partial(Sysno.MMAP, MemorySyscalls::mmap, "shared file mappings are copies");
        supported(Sysno.MUNMAP, MemorySyscalls::munmap);
        supported(Sysno.MPROTECT, MemorySyscalls::mprotect);
        supported(Sysno.MREMAP, MemorySyscalls::mremap);
        partial(Sysno.MADVISE, MemorySyscalls::madvise, "MADV_DONTNEED and MADV_REMOVE punch holes; others are hints");
        partial(Sysno.ARCH_PRCTL, MemorySyscalls::archPrctl, "ARCH_SET_FS, ARCH_GET_FS, ARCH_SET_GS, ARCH_GET_GS");

        // ---- processes and identity (ProcessSyscalls) ----
        supported(Sysno.EXIT, ProcessSyscalls::exit);
        supported(Sysno.EXIT_GROUP, ProcessSyscalls::exitGroup);
        supported(Sysno.GETPID, ProcessSyscalls::getpid);
        supported(Sysno.GETPPID, ProcessSyscalls::getppid);
        supported(Sysno.GETTID, ProcessSyscalls::gettid);
        supported(Sysno.SET_TID_ADDRESS, ProcessSyscalls::setTidAddress);
        supported(Sysno.SET_ROBUST_LIST, ProcessSyscalls::setRobustList);
        error(Sysno.RSEQ, Errno.ENOSYS, "restartable sequences are not supported; glibc falls back");
        partial(Sysno.PRLIMIT64, ProcessSyscalls::prlimit64, "own process only");
        supported(Sysno.GETRLIMIT, ProcessSyscalls::getrlimit);
        supported(Sysno.SETRLIMIT, ProcessSyscalls::setrlimit);
        supported(Sysno.UNAME, ProcessSyscalls::uname);
        supported(Sysno.SYSINFO, ProcessSyscalls::sysinfo);
        supported(Sysno.GETUID, ProcessSyscalls::getuid);
        supported(Sysno.GETEUID, ProcessSyscalls::geteuid);
        supported(Sysno.GETGID, ProcessSyscalls::getgid);
        supported(Sysno.GETEGID, ProcessSyscalls::getegid);
        supported(Sysno.GETRESUID, ProcessSyscalls::getresuid);
        supported(Sysno.GETRESGID, ProcessSyscalls::getresgid);
        supported(Sysno.SETUID, ProcessSyscalls::setuid);
        supported(Sysno.SETGID, ProcessSyscalls::setgid);
        supported(Sysno.SETREUID, ProcessSyscalls::setreuid);
        supported(Sysno.SETREGID, ProcessSyscalls::setregid);
        supported(Sysno.SETRESUID, ProcessSyscalls::setresuid);
        supported(Sysno.SETRESGID, ProcessSyscalls::setresgid);
        supported(Sysno.GETGROUPS, ProcessSyscalls::getgroups);
        supported(Sysno.SETGROUPS, ProcessSyscalls::setgroups);
        supported(Sysno.SCHED_GETAFFINITY, ProcessSyscalls::schedGetaffinity);
        supported(Sysno.SCHED_YIELD, ProcessSyscalls::schedYield);
        supported(Sysno.GETRANDOM, ProcessSyscalls::getrandom);
        partial(Sysno.PRCTL, ProcessSyscalls::prctl, "PR_SET_NAME, PR_GET_NAME, PDEATHSIG, DUMPABLE, "
                + "KEEPCAPS, CAPBSET_READ, CHILD_SUBREAPER (orphans are reparented to it), NO_NEW_PRIVS (recorded)");

        // ---- signals (SignalSyscalls) ----
        supported(Sysno.RT_SIGACTION, SignalSyscalls::rtSigaction);
        supported(Sysno.RT_SIGPROCMASK, SignalSyscalls::rtSigprocmask);

        // ---- tasks: clone, fork, execve, wait, futex (issue 4; CloneSyscalls, ExecSyscalls, WaitSyscalls,
        //      FutexSyscalls) ----
        partial(Sysno.CLONE, CloneSyscalls::clone, "no new namespaces, no CLONE_PIDFD (EINVAL)");
        partial(Sysno.CLONE3, CloneSyscalls::clone3, "no new namespaces, CLONE_PIDFD, set_tid or CLONE_INTO_CGROUP (EINVAL)");
        supported(Sysno.FORK, CloneSyscalls::fork);
        supported(Sysno.VFORK, CloneSyscalls::vfork);
        partial(Sysno.EXECVE, ExecSyscalls::execve, "static ELF binaries and #! scripts; dynamically linked ELF files are ENOEXEC");
        partial(Sysno.EXECVEAT, ExecSyscalls::execveat, "as execve");
        partial(Sysno.WAIT4, WaitSyscalls::wait4, "rusage: user, system time and ru_maxrss only (see getrusage)");
        partial(Sysno.WAITID, WaitSyscalls::waitid, "P_PIDFD is EINVAL; rusage as wait4's");
        partial(Sysno.FUTEX, FutexSyscalls::futex, "PI futexes return ENOSYS");
        partial(Sysno.GET_ROBUST_LIST, FutexSyscalls::getRobustList, "any thread's list may be read (no ptrace permission check)");
        supported(Sysno.GETPGRP, SessionSyscalls::getpgrp);
        supported(Sysno.GETPGID, SessionSyscalls::getpgid);
        supported(Sysno.GETSID, SessionSyscalls::getsid);
        supported(Sysno.SETPGID, SessionSyscalls::setpgid);
        supported(Sysno.SETSID, SessionSyscalls::setsid);

        // ---- signal delivery (issue 4; SignalSyscalls) ----
        partial(Sysno.KILL, SignalSyscalls::kill, "process groups are single processes until setpgid exists");
        supported(Sysno.TKILL, SignalSyscalls::tkill);
        supported(Sysno.TGKILL, SignalSyscalls::tgkill);
        supported(Sysno.RT_SIGQUEUEINFO, SignalSyscalls::rtSigqueueinfo);
        supported(Sysno.RT_TGSIGQUEUEINFO, SignalSyscalls::rtTgsigqueueinfo);
        supported(Sysno.RT_SIGPENDING, SignalSyscalls::rtSigpending);
        supported(Sysno.RT_SIGSUSPEND, SignalSyscalls::rtSigsuspend);
        supported(Sysno.RT_SIGTIMEDWAIT, SignalSyscalls::rtSigtimedwait);
        supported(Sysno.SIGALTSTACK, SignalSyscalls::sigaltstack);
        supported(Sysno.RT_SIGRETURN, SignalSyscalls::rtSigreturn);
        supported(Sysno.PAUSE, SignalSyscalls::pause);
        supported(Sysno.RESTART_SYSCALL, SignalSyscalls::restartSyscall);

        // ---- pipes, poll, epoll, eventfd, timers (issue 4; PipeSyscalls, PollSyscalls, EpollSyscalls,
        //      EventSyscalls, TimerSyscalls) ----
        supported(Sysno.PIPE, PipeSyscalls::pipe);
        supported(Sysno.POLL, PollSyscalls::poll);
        partial(Sysno.PPOLL, PollSyscalls::ppoll, "the signal mask is swapped in for the wait; delivery is the signal code's");
        supported(Sysno.SELECT, PollSyscalls::select);
        partial(Sysno.PSELECT6, PollSyscalls::pselect6, "the signal mask is swapped in for the wait; delivery is the signal code's");
        supported(Sysno.SIGNALFD, SignalFdSyscalls::signalfd);
        supported(Sysno.SIGNALFD4, SignalFdSyscalls::signalfd4);
        supported(Sysno.EVENTFD, EventSyscalls::eventfd);
        supported(Sysno.EVENTFD2, EventSyscalls::eventfd2);
        supported(Sysno.EPOLL_CREATE, EpollSyscalls::epollCreate);
        supported(Sysno.EPOLL_CREATE1, EpollSyscalls::epollCreate1);
        partial(Sysno.EPOLL_CTL, EpollSyscalls::epollCtl, "host fds (the caller's stdio) are level-triggered only");
        supported(Sysno.EPOLL_WAIT, EpollSyscalls::epollWait);
        partial(Sysno.EPOLL_PWAIT, EpollSyscalls::epollPwait, "the signal mask is swapped in for the wait; delivery is the signal code's");
        partial(Sysno.EPOLL_PWAIT2, EpollSyscalls::epollPwait2, "the signal mask is swapped in for the wait; delivery is the signal code's");
        supported(Sysno.TIMERFD_CREATE, TimerSyscalls::timerfdCreate);
        partial(Sysno.TIMERFD_SETTIME, TimerSyscalls::timerfdSettime, "TFD_TIMER_CANCEL_ON_SET is accepted; the sandbox's clock is never set");
        supported(Sysno.TIMERFD_GETTIME, TimerSyscalls::timerfdGettime);
        partial(Sysno.ALARM, TimerSyscalls::alarm, "SIGALRM goes through the signal hook (Task.sendSignal)");
        partial(Sysno.SETITIMER, TimerSyscalls::setitimer, "ITIMER_REAL; ITIMER_VIRTUAL and ITIMER_PROF are kept but never expire");
        supported(Sysno.GETITIMER, TimerSyscalls::getitimer);
        partial(Sysno.TIMER_CREATE, TimerSyscalls::timerCreate, "SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID for the calling thread; "
                + "CPU-time clocks are EINVAL; signals carry no siginfo yet");
        supported(Sysno.TIMER_SETTIME, TimerSyscalls::timerSettime);
        supported(Sysno.TIMER_GETTIME, TimerSyscalls::timerGettime);
        partial(Sysno.TIMER_GETOVERRUN, TimerSyscalls::timerGetoverrun, "expirations the timer thread found at once");
        supported(Sysno.TIMER_DELETE, TimerSyscalls::timerDelete);
        supported(Sysno.TIMES, TimerSyscalls::times);
        partial(Sysno.GETRUSAGE, TimerSyscalls::getrusage, "user time is the stub's CPU time (a thread's is its share by time in user mode), system time the sentry thread's; ru_maxrss counts every accessible mapping; fault, I/O and context-switch counts are 0");
        partial(Sysno.PIPE2, PipeSyscalls::pipe2, "O_CLOEXEC, O_NONBLOCK, O_DIRECT (packet mode); O_NOTIFICATION_PIPE is EINVAL");

        // ---- time (TimeSyscalls) ----
        partial(Sysno.CLOCK_GETTIME, TimeSyscalls::clockGettime, "CPU-time clocks as getrusage's times; a thread's user part is its share of the process's");
        supported(Sysno.CLOCK_GETRES, TimeSyscalls::clockGetres);
        supported(Sysno.GETTIMEOFDAY, TimeSyscalls::gettimeofday);
        supported(Sysno.TIME, TimeSyscalls::time);
        supported(Sysno.NANOSLEEP, TimeSyscalls::nanosleep);
        partial(Sysno.CLOCK_NANOSLEEP, TimeSyscalls::clockNanosleep, "CLOCK_PROCESS_CPUTIME_ID returns EOPNOTSUPP");
    }

    private SyscallTable() {}

    /** The entry for {@code nr}, or null when the number is unimplemented. */
    public static Entry lookup(long nr) {
        return nr >= 0 && nr < TABLE.length ? TABLE[(int) nr] : null;
    }

    /** Every entry, by number. */
    public static List<Entry> entries() {
        List<Entry> l = new ArrayList<>();
        for (Entry e : TABLE) {
            if (e != null) {
                l.add(e);
            }
        }
        return Collections.unmodifiableList(l);
    }

    /** Runs the handler for the syscall in {@code a}; ENOSYS (logged once per number) when none exists. */
    public static long dispatch(Task t, SyscallArguments a) {
        Entry e = lookup(a.nr);
        if (e == null) {
            t.kernel().unimplemented(a.nr);
            return Errno.ENOSYS.ret();
        }
        return e.handler().handle(t, a);
    }
}
