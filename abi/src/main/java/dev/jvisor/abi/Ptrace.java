package dev.jvisor.abi;

/** ptrace(2) requests, options and events, and wait status helpers. */
public final class Ptrace {
    private Ptrace() {}

    public static final int TRACEME = 0, PEEKTEXT = 1, PEEKDATA = 2, PEEKUSER = 3, POKETEXT = 4, POKEDATA = 5,
            POKEUSER = 6, CONT = 7, KILL = 8, SINGLESTEP = 9, GETREGS = 12, SETREGS = 13, GETFPREGS = 14,
            SETFPREGS = 15, ATTACH = 16, DETACH = 17, SYSCALL = 24, SYSEMU = 31, SYSEMU_SINGLESTEP = 32,
            SETOPTIONS = 0x4200, GETEVENTMSG = 0x4201, GETSIGINFO = 0x4202, SETSIGINFO = 0x4203,
            GETREGSET = 0x4204, SETREGSET = 0x4205, SEIZE = 0x4206, INTERRUPT = 0x4207, LISTEN = 0x4208,
            ARCH_PRCTL = 30;

    public static final long O_TRACESYSGOOD = 1, O_TRACEFORK = 2, O_TRACEVFORK = 4, O_TRACECLONE = 8,
            O_TRACEEXEC = 0x10, O_TRACEVFORKDONE = 0x20, O_TRACEEXIT = 0x40, O_TRACESECCOMP = 0x80,
            O_EXITKILL = 0x100000;

    public static final int EVENT_FORK = 1, EVENT_VFORK = 2, EVENT_CLONE = 3, EVENT_EXEC = 4, EVENT_STOP = 128;

    /** ELF note types for GETREGSET/SETREGSET. */
    public static final int NT_PRSTATUS = 1, NT_PRFPREG = 2, NT_X86_XSTATE = 0x202;

    public static final int WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000,
            WALL = 0x40000000, WCLONE = 0x80000000;

    public static boolean exited(int status) { return (status & 0x7f) == 0; }
    public static int exitStatus(int status) { return (status >> 8) & 0xff; }
    public static boolean signaled(int status) { return ((status & 0x7f) + 1) >> 1 > 0 && (status & 0xff) != 0x7f; }
    public static int termSig(int status) { return status & 0x7f; }
    public static boolean stopped(int status) { return (status & 0xff) == 0x7f; }
    public static int stopSig(int status) { return (status >> 8) & 0xff; }
    public static int event(int status) { return status >>> 16; }
}
