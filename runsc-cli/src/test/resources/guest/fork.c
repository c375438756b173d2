/* fork, exit, wait4 and waitid: process trees, statuses, zombies, orphans. */
#include "guest.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static void show(const char *what, int st) {
    if (WIFEXITED(st)) {
        SAY("%s: exited %d\n", what, WEXITSTATUS(st));
    } else if (WIFSIGNALED(st)) {
        SAY("%s: killed by %d\n", what, WTERMSIG(st));
    } else {
        SAY("%s: status %#x\n", what, st);
    }
}

/* A tree: each node forks `width` children that do the same, depth levels deep; each exits with its index. */
static int tree(int depth, int width) {
    if (depth == 0) {
        return 0;
    }
    pid_t kids[8];
    for (int i = 0; i < width; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            int sum = tree(depth - 1, width);
            _exit(i + 1 + sum);
        }
    }
    int sum = 0;
    for (int i = width - 1; i >= 0; i--) { /* reaped in reverse order of creation */
        int st;
        if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st)) {
            return 100;
        }
        sum += WEXITSTATUS(st);
    }
    return sum;
}

int main(void) {
    int st;
    pid_t me = getpid();

    /* A plain child: its pid, ppid and exit status. */
    pid_t p = fork();
    if (p == 0) {
        int ok = getppid() == me && getpid() != me && gettid() == getpid();
        _exit(ok ? 42 : 1);
    }
    FACT(p > 0);
    EXPECT(waitpid(p, &st, 0) == p, 1);
    show("child", st);
    EXPECT_ERR(waitpid(p, &st, 0), ECHILD);
    EXPECT_ERR(wait(&st), ECHILD);
    EXPECT_ERR(waitpid(-1, &st, WNOHANG), ECHILD);

    /* The tree: 3 levels, 2 children each. */
    p = fork();
    if (p == 0) {
        _exit(tree(3, 2));
    }
    waitpid(p, &st, 0);
    show("tree sum", st);

    /* WNOHANG while the child is alive, then the zombie is reported exactly once. */
    p = fork();
    if (p == 0) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        _exit(3);
    }
    EXPECT(waitpid(p, &st, WNOHANG), 0);
    EXPECT(waitpid(p, &st, 0) == p, 1);
    show("sleeper", st);

    /* Memory is copied, not shared. */
    static volatile int shared_value = 1;
    p = fork();
    if (p == 0) {
        shared_value = 2;
        _exit(shared_value);
    }
    waitpid(p, &st, 0);
    show("child's copy", st);
    EXPECT(shared_value, 1);

    /* wait4 with rusage, and wait for any child among several, in exit-code order. */
    pid_t a = fork();
    if (a == 0) {
        _exit(11);
    }
    pid_t b = fork();
    if (b == 0) {
        _exit(12);
    }
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    int codes = 0;
    for (int i = 0; i < 2; i++) {
        pid_t w = wait4(-1, &st, 0, &ru);
        FACT(w == a || w == b);
        codes += WEXITSTATUS(st);
    }
    EXPECT(codes, 23);
    EXPECT(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_sec < 1000, 1);
    EXPECT_ERR(wait4(-1, &st, 0x100, NULL), EINVAL);

    /* Process groups: wait(0) and wait(-pgid) see children in the caller's group. */
    p = fork();
    if (p == 0) {
        _exit(5);
    }
    EXPECT(waitpid(0, &st, 0) == p, 1);
    show("same group", st);
    p = fork();
    if (p == 0) {
        _exit(6);
    }
    EXPECT(waitpid(-getpgrp(), &st, 0) == p, 1);
    show("by pgid", st);

    /* waitid: P_PID with WNOWAIT leaves the zombie; P_ALL reaps it; siginfo fields. */
    p = fork();
    if (p == 0) {
        _exit(9);
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT(waitid(P_PID, p, &si, WEXITED | WNOWAIT), 0);
    EXPECT(si.si_signo, SIGCHLD);
    EXPECT(si.si_code, CLD_EXITED);
    EXPECT(si.si_status, 9);
    FACT(si.si_pid == p);
    FACT(si.si_uid == getuid());
    memset(&si, 0, sizeof si);
    EXPECT(waitid(P_ALL, 0, &si, WEXITED), 0);
    FACT(si.si_pid == p);
    EXPECT(si.si_status, 9);
    memset(&si, 0xff, sizeof si);
    EXPECT_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);
    EXPECT_ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
    EXPECT_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
    EXPECT_ERR(waitid(7, 0, &si, WEXITED), EINVAL);
    p = fork();
    if (p == 0) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        _exit(0);
    }
    memset(&si, 0xff, sizeof si);
    EXPECT(waitid(P_PID, p, &si, WEXITED | WNOHANG), 0);
    EXPECT(si.si_pid, 0);
    EXPECT(si.si_signo, 0);
    EXPECT(waitid(P_PGID, getpgrp(), &si, WEXITED), 0);
    EXPECT(si.si_code, CLD_EXITED);

    /* Killed by a signal: the fault's default action. */
    p = fork();
    if (p == 0) {
        *(volatile int *) BADPTR = 1;
        _exit(0);
    }
    waitpid(p, &st, 0);
    show("segfault", st);

    /* An orphan is reparented: its getppid changes from its first parent's PID. */
    p = fork();
    if (p == 0) {
        pid_t mid = getpid();
        pid_t g = fork();
        if (g == 0) {
            for (int i = 0; i < 500 && getppid() == mid; i++) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            _exit(getppid() != mid ? 0 : 1);
        }
        _exit(0);
    }
    waitpid(p, &st, 0);
    show("orphan's parent", st);
    /* In the sandbox this program is init, so the orphan becomes our child: collect it quietly. */
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    waitpid(-1, &st, WNOHANG);

    /* A child subreaper adopts the orphans below it, not init. */
    p = fork();
    if (p == 0) {
        pid_t sub = getpid();
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        pid_t mid = fork();
        if (mid == 0) {
            pid_t mymid = getpid();
            if (fork() == 0) {
                for (int i = 0; i < 500 && getppid() == mymid; i++) {
                    struct timespec t10 = {0, 10 * 1000 * 1000};
                    nanosleep(&t10, NULL);
                }
                _exit(getppid() == sub ? 21 : 1);
            }
            _exit(0);
        }
        int s2;
        waitpid(mid, &s2, 0);
        pid_t w = waitpid(-1, &s2, 0); /* the orphan, now ours */
        _exit(w > 0 && w != mid && WIFEXITED(s2) ? WEXITSTATUS(s2) : 2);
    }
    waitpid(p, &st, 0);
    show("subreaper's adopted orphan", st);

    /* SIGCHLD ignored: children are reaped by themselves and wait reports ECHILD once they are gone. */
    signal(SIGCHLD, SIG_IGN);
    p = fork();
    if (p == 0) {
        _exit(1);
    }
    EXPECT_ERR(waitpid(p, &st, 0), ECHILD);
    signal(SIGCHLD, SIG_DFL);

    /* A bad status pointer: EFAULT, and the child is reaped all the same (as Linux does). */
    p = fork();
    if (p == 0) {
        _exit(0);
    }
    EXPECT_ERR(waitpid(p, BADPTR, 0), EFAULT);
    EXPECT_ERR(waitpid(p, &st, WNOHANG), ECHILD);

    /* exit_group from a child ends it with that status. */
    p = fork();
    if (p == 0) {
        syscall(SYS_exit_group, 77);
        _exit(1);
    }
    waitpid(p, &st, 0);
    show("exit_group", st);

    /* A child still running when we exit: natively it lives on for a moment; in the sandbox init's exit kills it. */
    if (fork() == 0) {
        struct timespec one = {1, 0};
        nanosleep(&one, NULL);
        _exit(0);
    }
    return guest_done();
}
