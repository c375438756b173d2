/* PR_SET_PDEATHSIG: the signal a process gets when the parent thread that forked it ends; not inherited by fork. */
#include "guest.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <pthread.h>

static volatile sig_atomic_t got_sig, got_code;

static void on_sig(int s, siginfo_t *si, void *uc) {
    (void) uc;
    got_sig = s;
    got_code = si->si_code;
}

static void show(const char *what, int st) {
    if (WIFEXITED(st)) {
        SAY("%s: exited %d\n", what, WEXITSTATUS(st));
    } else if (WIFSIGNALED(st)) {
        SAY("%s: killed by %d\n", what, WTERMSIG(st));
    } else {
        SAY("%s: status %#x\n", what, st);
    }
}

/* A middle process that forks a child with pdeathsig sig, waits until it is set, then exits. The grandchild
 * (adopted by the subreaper main) exits with 10 + the signal its handler saw (0x40 if si_code was SI_USER), or
 * is killed by it. Returns the grandchild's PID. */
static pid_t orphan_with(int sig) {
    int ready[2], tell[2];
    if (pipe(ready) != 0 || pipe(tell) != 0) exit(2);
    pid_t mid = fork();
    if (mid == 0) {
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, sig);
        sigprocmask(SIG_BLOCK, &block, &old);
        pid_t g = fork();
        if (g == 0) {
            struct sigaction sa = {0};
            sa.sa_sigaction = on_sig;
            sa.sa_flags = SA_SIGINFO;
            if (sig != SIGKILL) sigaction(sig, &sa, NULL);
            prctl(PR_SET_PDEATHSIG, sig);
            write(ready[1], "r", 1);
            while (!got_sig) {
                sigsuspend(&old);
            }
            _exit(10 + got_sig + (got_code == SI_USER ? 0x40 : 0));
        }
        char c;
        read(ready[0], &c, 1);
        write(tell[1], &g, sizeof g);
        _exit(0);
    }
    pid_t g;
    read(tell[0], &g, sizeof g);
    int st;
    waitpid(mid, &st, 0);
    show("middle", st);
    close(ready[0]); close(ready[1]); close(tell[0]); close(tell[1]);
    return g;
}

static int thread_ready[2];
static pid_t parent_pid;

/* The thread that forks the child: it exits as soon as the child has set its pdeathsig. */
static void *forking_thread(void *arg) {
    (void) arg;
    pid_t c = fork();
    if (c == 0) {
        struct sigaction sa = {0};
        sa.sa_sigaction = on_sig;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, NULL);
        prctl(PR_SET_PDEATHSIG, SIGUSR1);
        write(thread_ready[1], "r", 1);
        while (!got_sig) {
            pause();
        }
        /* the parent process lives on: only the thread is gone */
        _exit(10 + got_sig + (got_code == SI_USER ? 0x40 : 0) + (getppid() == parent_pid ? 0x80 : 0));
    }
    char ch;
    read(thread_ready[0], &ch, 1);
    return (void *) (long) c;
}

int main(void) {
    int v = -1;
    EXPECT(prctl(PR_GET_PDEATHSIG, &v), 0);
    EXPECT(v, 0);
    EXPECT_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
    EXPECT(prctl(PR_SET_PDEATHSIG, SIGUSR2), 0);
    EXPECT(prctl(PR_GET_PDEATHSIG, &v), 0);
    EXPECT(v, SIGUSR2);
    pid_t c = fork();
    if (c == 0) {
        int w = -1;
        prctl(PR_GET_PDEATHSIG, &w);
        _exit(w);
    }
    int st;
    waitpid(c, &st, 0);
    show("fork child's pdeathsig", st);
    EXPECT(prctl(PR_SET_PDEATHSIG, 0), 0);

    /* main adopts the orphans, natively as in the sandbox */
    EXPECT(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    pid_t g = orphan_with(SIGUSR1);
    FACT(waitpid(g, &st, 0) == g);
    show("grandchild with SIGUSR1", st);
    g = orphan_with(SIGKILL);
    FACT(waitpid(g, &st, 0) == g);
    show("grandchild with SIGKILL", st);

    /* Linux sends it when the parent *thread* exits, though its process lives on. */
    parent_pid = getpid();
    if (pipe(thread_ready) != 0) return 2;
    pthread_t th;
    void *child;
    pthread_create(&th, NULL, forking_thread, NULL);
    pthread_join(th, &child);
    FACT(waitpid((pid_t) (long) child, &st, 0) == (pid_t) (long) child);
    show("child of an exited thread", st);
    return guest_mismatches != 0;
}
