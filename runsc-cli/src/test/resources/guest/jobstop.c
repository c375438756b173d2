/* Stopped and continued children: waitpid with WUNTRACED/WCONTINUED, waitid WSTOPPED/WCONTINUED, SIGCHLD with
 * CLD_STOPPED/CLD_CONTINUED, SA_NOCLDSTOP. */
#include "guest.h"
#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t chld_code, chld_status, chld_count;
static volatile pid_t chld_pid;

static void on_chld(int s, siginfo_t *si, void *uc) {
    (void) s;
    (void) uc;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_pid = si->si_pid;
    chld_count++;
}

/* Waits for a SIGCHLD, with SIGCHLD blocked outside sigsuspend. */
static void await_chld(sigset_t *old) {
    while (chld_count == 0) {
        sigsuspend(old);
    }
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);

    pid_t c = fork();
    if (c == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        for (;;) {
            pause();
        }
    }
    int st;
    EXPECTL("waitpid WNOHANG|WUNTRACED before any stop", waitpid(c, &st, WNOHANG | WUNTRACED), 0);
    kill(c, SIGSTOP);
    FACT(waitpid(c, &st, WUNTRACED) == c);
    EXPECT(WIFSTOPPED(st), 1);
    EXPECT(WSTOPSIG(st), SIGSTOP);
    EXPECT_HEX(st, 0x137f);
    await_chld(&old);
    EXPECT(chld_code, CLD_STOPPED);
    EXPECT(chld_status, SIGSTOP);
    FACT(chld_pid == c);
    EXPECTL("reported once", waitpid(c, &st, WNOHANG | WUNTRACED), 0);
    EXPECTL("not without WUNTRACED", waitpid(c, &st, WNOHANG), 0);

    chld_count = 0;
    kill(c, SIGCONT);
    FACT(waitpid(c, &st, WCONTINUED) == c);
    EXPECT(WIFCONTINUED(st), 1);
    EXPECT_HEX(st, 0xffff);
    await_chld(&old);
    EXPECT(chld_code, CLD_CONTINUED);
    EXPECT(chld_status, SIGCONT);
    EXPECTL("continued reported once", waitpid(c, &st, WNOHANG | WCONTINUED), 0);

    /* waitid: WSTOPPED with WNOWAIT leaves the report; then it is consumed. (Not SIGTSTP: Linux discards it in
     * an orphaned process group, which the harness may run us in.) */
    chld_count = 0;
    kill(c, SIGSTOP);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT(waitid(P_PID, c, &si, WSTOPPED | WNOWAIT), 0);
    EXPECT(si.si_code, CLD_STOPPED);
    EXPECT(si.si_status, SIGSTOP);
    FACT(si.si_pid == c);
    memset(&si, 0, sizeof si);
    EXPECT(waitid(P_PID, c, &si, WSTOPPED), 0);
    EXPECT(si.si_code, CLD_STOPPED);
    memset(&si, 0, sizeof si);
    EXPECT(waitid(P_PID, c, &si, WSTOPPED | WNOHANG), 0);
    EXPECTL("nothing left: si_pid", si.si_pid, 0);
    await_chld(&old);
    EXPECT(chld_code, CLD_STOPPED);
    kill(c, SIGCONT);
    memset(&si, 0, sizeof si);
    EXPECT(waitid(P_PID, c, &si, WCONTINUED), 0);
    EXPECT(si.si_code, CLD_CONTINUED);
    EXPECT(si.si_status, SIGCONT);

    /* SA_NOCLDSTOP: no SIGCHLD for a stop, but wait still sees it. */
    sa.sa_flags |= SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    chld_count = 0;
    kill(c, SIGSTOP);
    FACT(waitpid(c, &st, WUNTRACED) == c);
    EXPECT(WSTOPSIG(st), SIGSTOP);
    kill(c, SIGCONT);
    FACT(waitpid(c, &st, WCONTINUED) == c);
    EXPECTL("SIGCHLD with SA_NOCLDSTOP", chld_count, 0);

    /* A stopped child killed: exit reported. */
    kill(c, SIGSTOP);
    FACT(waitpid(c, &st, WUNTRACED) == c);
    kill(c, SIGKILL);
    FACT(waitpid(c, &st, 0) == c);
    EXPECT(WIFSIGNALED(st), 1);
    EXPECT(WTERMSIG(st), SIGKILL);
    return guest_mismatches != 0;
}
