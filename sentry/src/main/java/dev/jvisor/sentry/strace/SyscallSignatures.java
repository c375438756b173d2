package dev.jvisor.sentry.strace;

import dev.jvisor.abi.Sysno;

/**
 * How to print each syscall's arguments, one character per argument:
 * {@code d} int, {@code u} unsigned, {@code D} dirfd, {@code s} path, {@code i} input buffer (length in the next
 * argument), {@code o} output buffer (filled on exit, length = result), {@code f} open flags, {@code m} octal
 * mode, {@code S} signal, {@code x} hex. Unknown syscalls print six hex arguments.
 */
final class SyscallSignatures {
    private SyscallSignatures() {}

    private static final String[] SIG = new String[Sysno.MAX];
    private static final boolean[] RETURNS_ADDRESS = new boolean[Sysno.MAX];

    private static void sig(int nr, String s) {
        SIG[nr] = s;
    }

    static {
        sig(Sysno.READ, "dou");
        sig(Sysno.WRITE, "diu");
        sig(Sysno.PREAD64, "doud");
        sig(Sysno.PWRITE64, "diud");
        sig(Sysno.READV, "dxd");
        sig(Sysno.WRITEV, "dxd");
        sig(Sysno.OPEN, "sfm");
        sig(Sysno.OPENAT, "Dsfm");
        sig(Sysno.CLOSE, "d");
        sig(Sysno.STAT, "sx");
        sig(Sysno.LSTAT, "sx");
        sig(Sysno.FSTAT, "dx");
        sig(Sysno.NEWFSTATAT, "Dsxx");
        sig(Sysno.STATX, "Dsxxx");
        sig(Sysno.LSEEK, "ddd");
        sig(Sysno.GETDENTS64, "dxu");
        sig(Sysno.READLINK, "sxu");
        sig(Sysno.READLINKAT, "Dsxu");
        sig(Sysno.GETCWD, "xu");
        sig(Sysno.CHDIR, "s");
        sig(Sysno.FCHDIR, "d");
        sig(Sysno.ACCESS, "sx");
        sig(Sysno.FACCESSAT, "Dsx");
        sig(Sysno.FACCESSAT2, "Dsxx");
        sig(Sysno.FCNTL, "ddx");
        sig(Sysno.DUP, "d");
        sig(Sysno.DUP2, "dd");
        sig(Sysno.DUP3, "ddx");
        sig(Sysno.IOCTL, "dxx");
        sig(Sysno.UMASK, "m");
        sig(Sysno.BRK, "x");
        sig(Sysno.MMAP, "xuxxdx");
        sig(Sysno.MUNMAP, "xu");
        sig(Sysno.MPROTECT, "xux");
        sig(Sysno.MREMAP, "xuuxx");
        sig(Sysno.MADVISE, "xud");
        sig(Sysno.ARCH_PRCTL, "xx");
        sig(Sysno.EXIT, "d");
        sig(Sysno.EXIT_GROUP, "d");
        sig(Sysno.GETPID, "");
        sig(Sysno.GETPPID, "");
        sig(Sysno.GETTID, "");
        sig(Sysno.GETUID, "");
        sig(Sysno.GETEUID, "");
        sig(Sysno.GETGID, "");
        sig(Sysno.GETEGID, "");
        sig(Sysno.SCHED_YIELD, "");
        sig(Sysno.SET_TID_ADDRESS, "x");
        sig(Sysno.SET_ROBUST_LIST, "xu");
        sig(Sysno.PRLIMIT64, "ddxx");
        sig(Sysno.UNAME, "x");
        sig(Sysno.RT_SIGACTION, "Sxxu");
        sig(Sysno.RT_SIGPROCMASK, "dxxu");
        sig(Sysno.KILL, "dS");
        sig(Sysno.TGKILL, "ddS");
        sig(Sysno.CLOCK_GETTIME, "dx");
        sig(Sysno.NANOSLEEP, "xx");
        sig(Sysno.CLOCK_NANOSLEEP, "ddxx");
        sig(Sysno.GETRANDOM, "xud");
        sig(Sysno.PRCTL, "dxxxx");
        sig(Sysno.SYSINFO, "x");
        sig(Sysno.GETRLIMIT, "dx");
        sig(Sysno.SETRLIMIT, "dx");
        sig(Sysno.CLOCK_GETRES, "dx");
        sig(Sysno.GETTIMEOFDAY, "xx");
        sig(Sysno.TIME, "x");
        sig(Sysno.SCHED_GETAFFINITY, "dux");
        RETURNS_ADDRESS[Sysno.MMAP] = true;
        RETURNS_ADDRESS[Sysno.BRK] = true;
        RETURNS_ADDRESS[Sysno.MREMAP] = true;
        // ---- pipes, poll, epoll, eventfd, timers ----
        sig(Sysno.PIPE, "x");
        sig(Sysno.PIPE2, "xf");
        sig(Sysno.POLL, "xud");
        sig(Sysno.PPOLL, "xuxxu");
        sig(Sysno.SELECT, "dxxxx");
        sig(Sysno.PSELECT6, "dxxxxx");
        sig(Sysno.EPOLL_CREATE, "d");
        sig(Sysno.EPOLL_CREATE1, "x");
        sig(Sysno.EPOLL_CTL, "dddx");
        sig(Sysno.EPOLL_WAIT, "dxdd");
        sig(Sysno.EPOLL_PWAIT, "dxddxu");
        sig(Sysno.EPOLL_PWAIT2, "dxdxxu");
        sig(Sysno.EVENTFD, "u");
        sig(Sysno.EVENTFD2, "ux");
        sig(Sysno.TIMERFD_CREATE, "dx");
        sig(Sysno.TIMERFD_SETTIME, "dxxx");
        sig(Sysno.TIMERFD_GETTIME, "dx");
        sig(Sysno.ALARM, "u");
        sig(Sysno.SETITIMER, "dxx");
        sig(Sysno.GETITIMER, "dx");
        sig(Sysno.TIMER_CREATE, "dxx");
        sig(Sysno.TIMER_SETTIME, "dxxx");
        sig(Sysno.TIMER_GETTIME, "dx");
        sig(Sysno.TIMER_GETOVERRUN, "d");
        sig(Sysno.TIMER_DELETE, "d");
        sig(Sysno.TIMES, "x");
        sig(Sysno.GETRUSAGE, "dx");
    }

    static String of(long nr) {
        String s = nr >= 0 && nr < SIG.length ? SIG[(int) nr] : null;
        return s == null ? "xxxxxx" : s;
    }

    static boolean returnsAddress(long nr) {
        return nr >= 0 && nr < RETURNS_ADDRESS.length && RETURNS_ADDRESS[(int) nr];
    }
}
