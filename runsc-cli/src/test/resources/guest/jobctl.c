/* Process groups and sessions: setpgid/setsid and their errors, kill(-pgid) and kill(0) reaching a group. */
#include "guest.h"
#include <signal.h>
#include <sys/wait.h>

static void show(const char *what, int st) {
    if (WIFEXITED(st)) {
        SAY("%s: exited %d\n", what, WEXITSTATUS(st));
    } else if (WIFSIGNALED(st)) {
        SAY("%s: killed by %d\n", what, WTERMSIG(st));
    } else {
        SAY("%s: status %#x\n", what, st);
    }
}

/* A child that waits for EOF (or a byte) on fd r, then exits with code. */
static pid_t waiter(int r, int w, int code) {
    pid_t p = fork();
    if (p == 0) {
        close(w);
        char c;
        while (read(r, &c, 1) < 0 && errno == EINTR) {
        }
        _exit(code);
    }
    return p;
}

static void reap(const char *what, pid_t p) {
    int st;
    if (waitpid(p, &st, 0) != p) {
        SAY("%s: waitpid failed %s\n", what, errname(errno));
        return;
    }
    show(what, st);
}

static volatile sig_atomic_t usr1;
static void on_usr1(int s) {
    (void) s;
    usr1++;
}

int main(int argc, char **argv) {
    if (argc > 1) { /* the exec'd child: wait for EOF on stdin */
        char c;
        while (read(0, &c, 1) > 0) {
        }
        return 3;
    }
    int fd[2];

    /* Argument errors. */
    EXPECT_ERR(setpgid(0, -1), EINVAL);
    EXPECT_ERR(setpgid(-5, 0), EINVAL); /* pgid 0 means pid: negative */
    EXPECT_ERR(setpgid(-5, 3), ESRCH);
    EXPECT_ERR(setpgid(0x3fffff00, 0), ESRCH);
    EXPECT_ERR(getpgid(0x3fffff00), ESRCH);
    EXPECT_ERR(getsid(0x3fffff00), ESRCH);
    EXPECT_ERR(getpgid(-1), ESRCH);

    /* A child moved into a group of its own by its parent, then back into the parent's group. */
    if (pipe(fd) != 0) return 2;
    pid_t a = waiter(fd[0], fd[1], 0);
    FACT(getpgid(a) == getpgrp());
    EXPECTL("setpgid(a, a)", setpgid(a, a), 0);
    FACT(getpgid(a) == a);
    FACT(getsid(a) == getsid(0));
    EXPECTL("setpgid(a, 0) again", setpgid(a, 0), 0);
    EXPECTL("setpgid(a, getpgrp())", setpgid(a, getpgrp()), 0);
    FACT(getpgid(a) == getpgrp());
    EXPECTL_ERR("setpgid(a, no such group)", setpgid(a, 0x3fffff00), EPERM);

    /* A grandchild is not the caller's child: ESRCH. */
    int g[2];
    if (pipe(g) != 0) return 2;
    pid_t b = fork();
    if (b == 0) {
        close(fd[1]);
        pid_t gc = fork();
        if (gc == 0) {
            _exit(0);
        }
        write(g[1], &gc, sizeof gc);
        waitpid(gc, NULL, 0);
        char c;
        read(fd[0], &c, 1);
        _exit(0);
    }
    pid_t gc;
    read(g[0], &gc, sizeof gc);
    EXPECTL_ERR("setpgid(grandchild, 0)", setpgid(gc, 0), ESRCH);

    /* A child that started a session: another session (EPERM), a session leader; its own setpgid and setsid fail. */
    int s[2], back[2];
    if (pipe(s) != 0 || pipe(back) != 0) return 2;
    pid_t c = fork();
    if (c == 0) {
        int ok = 1;
        pid_t sid = setsid();
        ok &= sid == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
        int e1 = setpgid(0, 0) == -1 && errno == EPERM;
        int e2 = setsid() == -1 && errno == EPERM;
        int r = ok | e1 << 1 | e2 << 2;
        write(s[1], &r, sizeof r);
        char ch;
        read(back[0], &ch, 1);
        _exit(0);
    }
    int r;
    read(s[0], &r, sizeof r);
    EXPECTL("child setsid: sid = pgid = pid", r & 1, 1);
    EXPECTL("child setpgid(0, 0) as session leader is EPERM", (r >> 1) & 1, 1);
    EXPECTL("child setsid again is EPERM", (r >> 2) & 1, 1);
    FACT(getsid(c) == c);
    FACT(getpgid(c) == c);
    EXPECTL_ERR("setpgid(child in another session, 0)", setpgid(c, 0), EPERM);
    EXPECTL_ERR("setpgid(a, group of another session)", setpgid(a, c), EPERM);
    write(back[1], "x", 1);
    reap("session child", c);

    /* A child that has exec'd: EACCES (vfork returns once the exec is done). */
    int e[2];
    if (pipe(e) != 0) return 2;
    pid_t x = vfork();
    if (x == 0) {
        dup2(e[0], 0);
        close(e[1]);
        char *av[] = {argv[0], "child", NULL};
        execv(argv[0], av);
        _exit(127);
    }
    close(e[0]);
    EXPECTL_ERR("setpgid(exec'd child, 0)", setpgid(x, 0), EACCES);
    FACT(getpgid(x) == getpgrp());
    close(e[1]);
    reap("exec'd child", x);

    close(fd[1]);
    reap("child a", a);
    reap("child b", b);
    close(fd[0]);

    /* kill(-pgid) reaches every process of a group, and only those. */
    if (pipe(fd) != 0) return 2;
    pid_t k[3];
    for (int i = 0; i < 3; i++) {
        k[i] = waiter(fd[0], fd[1], 0);
        setpgid(k[i], k[0]);
    }
    pid_t outsider = waiter(fd[0], fd[1], 7);
    for (int i = 0; i < 3; i++) {
        FACT(getpgid(k[i]) == k[0]);
    }
    EXPECTL("kill(-pgid, SIGTERM)", kill(-k[0], SIGTERM), 0);
    for (int i = 0; i < 3; i++) {
        reap("group member", k[i]);
    }
    EXPECTL_ERR("kill(-reaped pgid, 0)", kill(-k[0], 0), ESRCH);
    close(fd[1]);
    reap("outsider", outsider);
    close(fd[0]);

    /* kill(0) from a group leader reaches its group's members (its forked children), not its parent. */
    signal(SIGUSR1, on_usr1);
    pid_t lead = fork();
    if (lead == 0) {
        setpgid(0, 0);
        int p2[2];
        if (pipe(p2) != 0) _exit(2);
        signal(SIGUSR1, SIG_DFL); /* the members inherit the default action */
        pid_t m1 = waiter(p2[0], p2[1], 0), m2 = waiter(p2[0], p2[1], 0);
        signal(SIGUSR1, on_usr1);
        int st1, st2;
        kill(0, SIGUSR1); /* the leader keeps the inherited handler */
        waitpid(m1, &st1, 0);
        waitpid(m2, &st2, 0);
        _exit(usr1 == 1 && WIFSIGNALED(st1) && WTERMSIG(st1) == SIGUSR1 && WIFSIGNALED(st2)
                && WTERMSIG(st2) == SIGUSR1 ? 0 : 1);
    }
    reap("kill(0) leader", lead);
    EXPECTL("SIGUSR1 in the parent", usr1, 0);
    return guest_mismatches != 0;
}
