/* signalfd/signalfd4: reading blocked signals as signalfd_siginfo records, poll readiness, errors. */
#include "guest.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

int main(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);

    EXPECT_ERR(syscall(SYS_signalfd4, -1, &set, 4, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, &set, 8, O_APPEND), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_signalfd4, 1000, &set, 8, 0), EBADF);
    EXPECT_ERR(syscall(SYS_signalfd4, 1, &set, 8, 0), EINVAL);

    int fd = EXPECT_OK(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    EXPECT_OCT(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_OCT(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    struct signalfd_siginfo si[4];
    EXPECT_ERR(read(fd, si, sizeof si), EAGAIN);
    EXPECT_ERR(read(fd, si, 100), EINVAL);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    EXPECT(poll(&p, 1, 0), 0);

    kill(getpid(), SIGUSR1);
    EXPECT(poll(&p, 1, 0), 1);
    EXPECT_HEX(p.revents, POLLIN);
    EXPECT(read(fd, si, sizeof si), 128);
    EXPECT(si[0].ssi_signo, SIGUSR1);
    EXPECT(si[0].ssi_code, SI_USER);
    FACT(si[0].ssi_pid == (unsigned) getpid());
    FACT(si[0].ssi_uid == getuid());

    /* several at once, lowest first; a queued value */
    union sigval v = {.sival_int = 42};
    sigqueue(getpid(), SIGRTMIN, v);
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    EXPECT(read(fd, si, sizeof si), 3 * 128);
    EXPECT(si[0].ssi_signo, SIGUSR1);
    EXPECT(si[1].ssi_signo, SIGUSR2);
    FACT(si[2].ssi_signo == (unsigned) SIGRTMIN);
    EXPECT(si[2].ssi_code, SI_QUEUE);
    EXPECT(si[2].ssi_int, 42);
    sigset_t pend;
    sigpending(&pend);
    EXPECTL("nothing pending after the read", sigismember(&pend, SIGUSR1) | sigismember(&pend, SIGUSR2), 0);

    /* a mask change through the same fd; a signal outside the mask stays pending */
    sigset_t only2;
    sigemptyset(&only2);
    sigaddset(&only2, SIGUSR2);
    sigaddset(&only2, SIGKILL);
    EXPECT(signalfd(fd, &only2, 0) == fd, 1);
    kill(getpid(), SIGUSR1);
    EXPECT_ERR(read(fd, si, sizeof si), EAGAIN);
    sigpending(&pend);
    EXPECT(sigismember(&pend, SIGUSR1), 1);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    int sig;
    EXPECT(sigwait(&one, &sig), 0);

    /* blocking read woken by a child's exit: SIGCHLD with CLD_EXITED and the status */
    int bfd = EXPECT_OK(signalfd(-1, &set, 0));
    pid_t c = fork();
    if (c == 0) {
        _exit(7);
    }
    EXPECT(read(bfd, si, sizeof si[0]), 128);
    EXPECT(si[0].ssi_signo, SIGCHLD);
    EXPECT(si[0].ssi_code, CLD_EXITED);
    EXPECT(si[0].ssi_status, 7);
    FACT(si[0].ssi_pid == (unsigned) c);
    waitpid(c, NULL, 0);
    close(bfd);
    close(fd);
    return guest_mismatches != 0;
}
