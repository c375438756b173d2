/* The controlling-terminal rules on a real terminal. TerminalTest runs this as a container's init on the
 * sentry's emulated terminal and natively under script(1) on a host pty, and compares; without a terminal
 * (GuestTest) it only says so. */
#include "guest.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

static void reap(const char *what, pid_t p, int flags) {
    int st;
    if (waitpid(p, &st, flags) != p) {
        SAY("%s: waitpid failed %s\n", what, errname(errno));
    } else if (WIFSTOPPED(st)) {
        SAY("%s: stopped by %d\n", what, WSTOPSIG(st));
    } else {
        SAY("%s: status %#x\n", what, st);
    }
}

static pid_t child(void) {
    fflush(stdout);
    return fork();
}

static void done(void) {
    fflush(stdout);
    _exit(guest_mismatches ? 1 : 0);
}

int main(void) {
    if (!isatty(0)) {
        SAY("no terminal\n");
        return 0;
    }
    const char *name = ttyname(0);
    FACT(name != NULL && strncmp(name, "/dev/pts/", 9) == 0);
    FACT(tcgetsid(0) == getsid(0));
    FACT(tcgetpgrp(0) == getpgrp());
    int tty = open("/dev/tty", O_RDWR);
    FACT(tty >= 0);
    struct stat st;
    EXPECT(fstat(tty, &st), 0);
    EXPECT((int) major(st.st_rdev), 5);
    EXPECT((int) minor(st.st_rdev), 0);
    int pg = -1;
    EXPECT(ioctl(tty, TIOCGPGRP, &pg), 0);
    FACT(pg == getpgrp());
    struct winsize ws;
    EXPECT(ioctl(0, TIOCGWINSZ, &ws), 0); /* the size itself is the caller's */
    EXPECT_ERR(tcsetpgrp(0, -1), EINVAL);
    EXPECT_ERR(tcsetpgrp(0, 0x3ffff0), ESRCH);

    /* Reads that do not wait: non-canonical with VMIN = VTIME = 0, and VTIME 1 with nothing typed. */
    struct termios saved, t;
    EXPECT(tcgetattr(0, &saved), 0);
    t = saved;
    t.c_lflag &= ~(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    EXPECT(tcsetattr(0, TCSANOW, &t), 0);
    char c;
    EXPECT(read(0, &c, 1), 0);
    t.c_cc[VTIME] = 1;
    EXPECT(tcsetattr(0, TCSANOW, &t), 0);
    EXPECT(read(0, &c, 1), 0);
    int n = -1;
    EXPECT(ioctl(0, FIONREAD, &n), 0);
    EXPECT(n, 0);
    EXPECT(tcsetattr(0, TCSAFLUSH, &saved), 0);
    int fl = fcntl(0, F_GETFL);
    EXPECT(fcntl(0, F_SETFL, fl | O_NONBLOCK), 0);
    EXPECT_ERR(read(0, &c, 1), EAGAIN);
    EXPECT(fcntl(0, F_SETFL, fl), 0);
    SAY("output\tprocessing\n");

    /* A background group: reading stops it with SIGTTIN, or is EIO when SIGTTIN is ignored; changing the
     * terminal is allowed while SIGTTOU is ignored. */
    pid_t p = child();
    if (p == 0) {
        EXPECT(setpgid(0, 0), 0);
        FACT(tcgetpgrp(0) != getpgrp());
        signal(SIGTTIN, SIG_IGN);
        EXPECT_ERR(read(0, &c, 1), EIO);
        signal(SIGTTOU, SIG_IGN);
        struct termios u;
        EXPECT(tcgetattr(0, &u), 0);
        EXPECT(tcsetattr(0, TCSANOW, &u), 0);
        signal(SIGTTIN, SIG_DFL);
        read(0, &c, 1); /* stops here */
        SAY("continued\n");
        done();
    }
    reap("background reader", p, WUNTRACED);
    kill(p, SIGKILL);
    reap("background reader", p, 0);

    /* With TOSTOP, a background write stops the writer with SIGTTOU. */
    EXPECT(tcgetattr(0, &t), 0);
    t.c_lflag |= TOSTOP;
    EXPECT(tcsetattr(0, TCSANOW, &t), 0);
    p = child();
    if (p == 0) {
        EXPECT(setpgid(0, 0), 0);
        SAY("never shown\n");
        done();
    }
    reap("background writer", p, WUNTRACED);
    kill(p, SIGKILL);
    reap("background writer", p, 0);
    EXPECT(tcsetattr(0, TCSANOW, &saved), 0);

    /* Another session: the terminal is not its controlling terminal, and it cannot take it. */
    int ready[2], go[2];
    EXPECT(pipe(ready), 0);
    EXPECT(pipe(go), 0);
    p = child();
    if (p == 0) {
        EXPECT_OK(setsid());
        EXPECT_ERR(ioctl(0, TIOCGPGRP, &pg), ENOTTY);
        EXPECT_ERR(tcgetsid(0), ENOTTY);
        EXPECT_ERR(tcsetpgrp(0, getpid()), ENOTTY);
        EXPECT_ERR(open("/dev/tty", O_RDWR), ENXIO);
        EXPECT_ERR(ioctl(0, TIOCSCTTY, 0), EPERM);
        EXPECT_ERR(ioctl(0, TIOCNOTTY), ENOTTY);
        fflush(stdout);
        close(go[1]);
        write(ready[1], "x", 1);
        read(go[0], &c, 1); /* until the parent has tried its group */
        done();
    }
    close(go[0]);
    close(ready[1]);
    EXPECT(read(ready[0], &c, 1), 1);
    EXPECT_ERR(tcsetpgrp(0, p), EPERM); /* a group of another session */
    close(go[1]);
    reap("other session", p, 0);

    /* TIOCNOTTY by a process that leads no session: it alone loses the terminal. */
    p = child();
    if (p == 0) {
        EXPECT(ioctl(0, TIOCNOTTY), 0);
        EXPECT_ERR(open("/dev/tty", O_RDWR), ENXIO);
        EXPECT_ERR(tcgetpgrp(0), ENOTTY);
        done();
    }
    reap("notty", p, 0);
    FACT(tcgetpgrp(0) == getpgrp());
    return guest_mismatches ? 1 : 0;
}
