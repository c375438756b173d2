package dev.jvisor.abi;

/**
 * x86-64 {@code siginfo_t} (128 bytes): the three leading ints and the union's fields, as byte offsets, plus the
 * si_code values the kernel uses. See {@code /usr/include/asm-generic/siginfo.h}.
 */
public final class SigInfo {
    private SigInfo() {}

    public static final int SIZE = 128;

    public static final int SIGNO = 0, ERRNO = 4, CODE = 8;
    /** kill, sigqueue, SIGCHLD: the sender's pid and real uid. */
    public static final int PID = 16, UID = 20;
    /** SIGCHLD: the child's status; sigqueue and timers: the sigval. */
    public static final int STATUS = 24, VALUE = 24;
    /** POSIX timers: the timer id and overrun count. */
    public static final int TIMERID = 16, OVERRUN = 20;
    /** SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP: the faulting address. */
    public static final int ADDR = 16;

    // si_code: who sent it (<= 0: user space, > 0: the kernel).
    public static final int SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TIMER = -2, SI_MESGQ = -3,
            SI_ASYNCIO = -4, SI_SIGIO = -5, SI_TKILL = -6;

    public static final int ILL_ILLOPC = 1, ILL_ILLOPN = 2, ILL_ILLADR = 3, ILL_ILLTRP = 4, ILL_PRVOPC = 5,
            ILL_PRVREG = 6, ILL_COPROC = 7, ILL_BADSTK = 8;
    public static final int FPE_INTDIV = 1, FPE_INTOVF = 2, FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5,
            FPE_FLTRES = 6, FPE_FLTINV = 7, FPE_FLTSUB = 8;
    public static final int SEGV_MAPERR = 1, SEGV_ACCERR = 2;
    public static final int BUS_ADRALN = 1, BUS_ADRERR = 2, BUS_OBJERR = 3;
    public static final int TRAP_BRKPT = 1, TRAP_TRACE = 2;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5,
            CLD_CONTINUED = 6;
}
