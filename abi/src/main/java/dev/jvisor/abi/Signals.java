package dev.jvisor.abi;

/** Signal numbers (x86-64) and their names. */
public final class Signals {
    private Signals() {}

    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
            SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28,
            SIGIO = 29, SIGPWR = 30, SIGSYS = 31, SIGRTMIN = 32, SIGRTMAX = 64;

    /** Number of signals, as the kernel's _NSIG. */
    public static final int NSIG = 64;

    public static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

    public static final long SA_NOCLDSTOP = 0x1, SA_NOCLDWAIT = 0x2, SA_SIGINFO = 0x4, SA_RESTORER = 0x04000000,
            SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000L;

    public static final long SIG_DFL = 0, SIG_IGN = 1;

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /** The signal's name ("SIGTERM"), "SIGRTMIN+n" for real-time signals. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
            return sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (sig - SIGRTMIN);
        }
        return "signal " + sig;
    }

    /** Parses "TERM", "SIGTERM", "sigterm" or "15"; returns -1 when unknown. */
    public static int parse(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            try {
                int n = Integer.parseInt(t);
                return n >= 1 && n <= SIGRTMAX ? n : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        if (!t.startsWith("SIG")) {
            t = "SIG" + t;
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(t)) {
                return i;
            }
        }
        if (t.equals("SIGIOT")) {
            return SIGABRT;
        }
        if (t.equals("SIGCLD")) {
            return SIGCHLD;
        }
        if (t.equals("SIGRTMIN")) {
            return SIGRTMIN;
        }
        if (t.equals("SIGRTMAX")) {
            return SIGRTMAX;
        }
        if (t.startsWith("SIGRTMIN+") || t.startsWith("SIGRTMAX-")) {
            try {
                int n = Integer.parseInt(t.substring(9));
                int sig = t.startsWith("SIGRTMIN+") ? SIGRTMIN + n : SIGRTMAX - n;
                return n >= 0 && sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }
}
