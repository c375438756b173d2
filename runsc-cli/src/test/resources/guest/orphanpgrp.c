/* Orphaned process groups (man 2 setpgid, POSIX _exit): when a process's exit leaves a process group orphaned
 * (no member has a parent in another group of the same session) while a member is stopped, every member gets
 * SIGHUP then SIGCONT (si_code SI_KERNEL). In an orphaned group, SIGTSTP, SIGTTIN and SIGTTOU whose action is
 * the default are discarded instead of stopping the process; SIGSTOP still stops it. */
#include "guest.h"
#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t got_hup, got_cont, hup_code;

static void on_sig(int s, siginfo_t *si, void *uc) {
    (void) uc;
    if (s == SIGHUP) {
        got_hup = 1;
        hup_code = si->si_code;
    } else {
        got_cont = 1;
    }
}

/* G: a member of its own group in S's session; stops, and reports through fd what happened to it. */
static void orphan(int fd) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGCONT, &sa, NULL);
    setpgid(0, 0);
    raise(SIGSTOP);
    /* continued by the orphaning's SIGCONT: wait for both handlers */
    while (!got_hup || !got_cont) pause();
    char line[200];
    int n = snprintf(line, sizeof line, "orphaned group's stopped member: SIGHUP %d (SI_KERNEL %d), SIGCONT %d\n",
                     got_hup, hup_code == SI_KERNEL, got_cont);
    /* now in an orphaned group: these default-action stop signals are discarded */
    raise(SIGTSTP);
    raise(SIGTTIN);
    raise(SIGTTOU);
    n += snprintf(line + n, sizeof line - n, "orphaned group: SIGTSTP, SIGTTIN, SIGTTOU did not stop it\n");
    write(fd, line, n);
    _exit(0);
}

int main(void) {
    alarm(30); /* a hang is a failure, not a stuck run */

    /* 1. not orphaned: a child in its own group, whose parent is in another group of the same session */
    fflush(stdout);
    pid_t d = fork();
    if (d == 0) {
        setpgid(0, 0);
        raise(SIGTSTP);
        _exit(7);
    }
    int st;
    FACT(waitpid(d, &st, WUNTRACED) == d);
    EXPECT(WIFSTOPPED(st), 1);
    EXPECT(WSTOPSIG(st), SIGTSTP);
    kill(d, SIGCONT);
    FACT(waitpid(d, &st, 0) == d);
    EXPECT(WEXITSTATUS(st), 7);

    /* 2. S leads a new session and forks G into a group of its own; G stops; S exits, which orphans G's group */
    int report[2];
    if (pipe(report) != 0) return 2;
    pid_t s = fork();
    if (s == 0) {
        setsid();
        pid_t g = fork();
        if (g == 0) {
            close(report[0]);
            orphan(report[1]);
        }
        int gst;
        waitpid(g, &gst, WUNTRACED);
        _exit(WIFSTOPPED(gst) ? 0 : 1);
    }
    close(report[1]);
    FACT(waitpid(s, &st, 0) == s);
    EXPECTL("session leader saw its child stop", WEXITSTATUS(st), 0);
    char buf[400] = {0};
    int n = 0, r;
    while ((r = read(report[0], buf + n, sizeof buf - 1 - n)) > 0) n += r;
    SAY("%s", buf);

    /* 3. SIGSTOP is never discarded: a session leader's own group is orphaned, and it still stops */
    fflush(stdout);
    pid_t l = fork();
    if (l == 0) {
        setsid();
        raise(SIGTSTP); /* discarded */
        raise(SIGSTOP);
        _exit(9);
    }
    FACT(waitpid(l, &st, WUNTRACED) == l);
    EXPECT(WIFSTOPPED(st), 1);
    EXPECT(WSTOPSIG(st), SIGSTOP);
    kill(l, SIGCONT);
    FACT(waitpid(l, &st, 0) == l);
    EXPECT(WEXITSTATUS(st), 9);
    return guest_done();
}
