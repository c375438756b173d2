/* Sessions and controlling terminals without a terminal: a new session has none, so /dev/tty is ENXIO, and the
 * terminal ioctls on files that are no terminal are ENOTTY. (The emulated terminal itself is TerminalTest's.) */
#include "guest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

static void reap(const char *what, pid_t p) {
    int st;
    if (waitpid(p, &st, 0) != p) {
        SAY("%s: waitpid failed %s\n", what, errname(errno));
    } else {
        SAY("%s: status %#x\n", what, st);
    }
}

int main(void) {
    pid_t c = fork();
    if (c == 0) {
        EXPECT_OK(setsid());
        FACT(getsid(0) == getpid());
        FACT(getpgrp() == getpid());
        FACT(getpgid(0) == getpid());
        EXPECT_ERR(setsid(), EPERM);      /* it leads a process group now */
        EXPECT_ERR(setpgid(0, 0), EPERM); /* a session leader stays in its group */
        EXPECT_ERR(open("/dev/tty", O_RDWR), ENXIO);
        EXPECT_ERR(open("/dev/tty", O_RDONLY | O_NOCTTY), ENXIO);

        int p[2];
        EXPECT(pipe(p), 0);
        int pg = 0;
        EXPECT_ERR(ioctl(p[0], TIOCGPGRP, &pg), ENOTTY);
        EXPECT_ERR(ioctl(p[0], TIOCSPGRP, &pg), ENOTTY);
        EXPECT_ERR(ioctl(p[0], TIOCSCTTY, 0), ENOTTY);
        EXPECT_ERR(ioctl(p[0], TIOCNOTTY), ENOTTY);
        EXPECT_ERR(ioctl(p[0], TIOCGSID, &pg), ENOTTY);
        EXPECT_ERR(tcgetpgrp(p[1]), ENOTTY);
        EXPECT_ERR(tcgetsid(p[1]), ENOTTY);
        struct termios t;
        EXPECT_ERR(tcgetattr(p[0], &t), ENOTTY);
        EXPECT_ERR(tcsetattr(p[0], TCSANOW, &t), ENOTTY);
        EXPECT(isatty(p[0]), 0);
        int null = open("/dev/null", O_RDWR);
        EXPECT_ERR(ioctl(null, TIOCGPGRP, &pg), ENOTTY);
        EXPECT_ERR(ioctl(null, TIOCSCTTY, 0), ENOTTY);

        fflush(stdout);
        pid_t g = fork();
        if (g == 0) {
            /* A member of the new session, in its leader's group: not a leader of either. */
            FACT(getsid(0) == getppid());
            FACT(getpgrp() == getppid());
            EXPECT_ERR(open("/dev/tty", O_RDWR), ENXIO);
            EXPECT_OK(setsid()); /* it leads no group, so it may start a session of its own */
            FACT(getsid(0) == getpid());
            fflush(stdout);
            _exit(guest_mismatches ? 1 : 0);
        }
        reap("grandchild", g);
        fflush(stdout);
        _exit(guest_mismatches ? 1 : 0);
    }
    reap("child", c);
    FACT(getsid(c) < 0 || getsid(c) != getsid(0));
    return guest_mismatches ? 1 : 0;
}
