/* poll, ppoll, select and pselect6 on pipes and eventfds, with timeouts (outcomes only, never times), POLLNVAL,
 * EBADF, EINVAL and EFAULT; eventfd semantics (semaphore mode, short buffers, overflow). One process. */
#include "guest.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>

static long raw_ppoll(struct pollfd *fds, unsigned long n, struct timespec *ts, void *mask, size_t sz) {
    return syscall(SYS_ppoll, fds, n, ts, mask, sz);
}

int main(void) {
    int p[2];
    char buf[16];
    EXPECT(pipe(p), 0);

    /* an empty pipe: the write end is ready, the read end is not */
    struct pollfd fds[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 0}};
    EXPECT(poll(fds, 3, 0), 1);
    EXPECT_HEX(fds[0].revents, 0);
    EXPECT_HEX(fds[1].revents, POLLOUT);
    EXPECT_HEX(fds[2].revents, 0);
    EXPECT(poll(fds, 1, 20), 0);
    EXPECT(write(p[1], "x", 1), 1);
    fds[0].events = POLLIN | POLLRDNORM | POLLOUT;
    EXPECT(poll(fds, 1, 1000), 1);
    EXPECT_HEX(fds[0].revents, POLLIN | POLLRDNORM);
    /* POLLNVAL for a closed fd; fd < 0 is skipped */
    struct pollfd bad[2] = {{100, POLLIN, 0}, {-5, POLLIN, 0}};
    EXPECT(poll(bad, 2, 0), 1);
    EXPECT_HEX(bad[0].revents, POLLNVAL);
    EXPECT_HEX(bad[1].revents, 0);
    EXPECT(poll(NULL, 0, 10), 0);
    EXPECT_ERR(poll(BADPTR, 1, 0), EFAULT);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    EXPECT_ERR(poll(fds, rl.rlim_cur + 1, 0), EINVAL);

    /* ppoll: timeout and mask checks; the remaining time is written back */
    struct timespec ts = {0, 20 * 1000 * 1000};
    fds[0].events = POLLOUT;
    EXPECT(raw_ppoll(fds, 1, &ts, NULL, 0), 0);
    FACT(ts.tv_sec == 0 && ts.tv_nsec == 0);
    ts.tv_nsec = -1;
    EXPECT_ERR(raw_ppoll(fds, 1, &ts, NULL, 0), EINVAL);
    ts.tv_nsec = 1000000000;
    EXPECT_ERR(raw_ppoll(fds, 1, &ts, NULL, 0), EINVAL);
    sigset_t set;
    sigemptyset(&set);
    ts.tv_nsec = 0;
    EXPECT_ERR(raw_ppoll(fds, 1, &ts, &set, 4), EINVAL);
    EXPECT(raw_ppoll(fds, 1, &ts, &set, 8), 0);
    EXPECT_ERR(raw_ppoll(fds, 1, &ts, BADPTR, 8), EFAULT);
    ts.tv_sec = 5;
    fds[0].events = POLLIN;
    EXPECT(raw_ppoll(fds, 1, &ts, NULL, 0), 1);
    FACT(ts.tv_sec <= 5 && ts.tv_sec >= 3);

    /* POLLHUP once the writer is gone, with or without data */
    EXPECT(close(p[1]), 0);
    EXPECT(poll(fds, 1, 0), 1);
    EXPECT_HEX(fds[0].revents, POLLIN | POLLHUP);
    EXPECT(read(p[0], buf, sizeof buf), 1);
    fds[0].events = 0;
    EXPECT(poll(fds, 1, 0), 1);
    EXPECT_HEX(fds[0].revents, POLLHUP);
    EXPECT(close(p[0]), 0);
    /* POLLERR on a write end whose reader is gone */
    EXPECT(pipe(p), 0);
    EXPECT(close(p[0]), 0);
    struct pollfd w = {p[1], POLLOUT, 0};
    EXPECT(poll(&w, 1, 0), 1);
    EXPECT_HEX(w.revents, POLLOUT | POLLERR);
    EXPECT(close(p[1]), 0);

    /* select */
    EXPECT(pipe(p), 0);
    fd_set r, wr, ex;
    FD_ZERO(&r);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET(p[0], &r);
    FD_SET(p[1], &wr);
    FD_SET(p[0], &ex);
    struct timeval tv = {0, 0};
    EXPECT(select(p[1] + 1, &r, &wr, &ex, &tv), 1);
    FACT(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &wr) && !FD_ISSET(p[0], &ex));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_usec = 20000;
    EXPECT(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
    FACT(tv.tv_sec == 0 && tv.tv_usec == 0);
    FACT(!FD_ISSET(p[0], &r));
    EXPECT(write(p[1], "ab", 2), 2);
    FD_SET(p[0], &r);
    FD_ZERO(&wr);
    FD_SET(p[1], &wr);
    tv.tv_sec = 5;
    EXPECT(select(p[1] + 1, &r, &wr, NULL, &tv), 2);
    FACT(tv.tv_sec <= 5 && tv.tv_sec >= 3);
    FACT(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &wr));
    FD_ZERO(&r);
    FD_SET(50, &r);
    EXPECT_ERR(select(51, &r, NULL, NULL, &tv), EBADF);
    EXPECT(select(50, &r, NULL, NULL, &tv), 0); /* fd 50 is outside nfds: ignored, no wait... */
    tv.tv_usec = -1;
    EXPECT_ERR(select(1, NULL, NULL, NULL, &tv), EINVAL);
    tv.tv_usec = 0;
    EXPECT_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
    EXPECT_ERR(syscall(SYS_select, 1, BADPTR, 0, 0, &tv), EFAULT);
    tv.tv_sec = 0;
    tv.tv_usec = 10000;
    EXPECT(select(0, NULL, NULL, NULL, &tv), 0);
    /* pselect6 with a mask */
    struct timespec pts = {0, 0};
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    EXPECT(pselect(p[0] + 1, &r, NULL, NULL, &pts, &set), 1);
    EXPECT(close(p[0]), 0);
    EXPECT(close(p[1]), 0);

    /* eventfd */
    int e = EXPECT(eventfd(0, EFD_NONBLOCK), 3);
    EXPECT_OCT(fcntl(e, F_GETFL), O_RDWR | O_NONBLOCK);
    char link[64] = {0};
    EXPECT(readlink("/proc/self/fd/3", link, sizeof link - 1), 20);
    SAY("fd 3 -> %s\n", link);
    struct stat st;
    EXPECT(fstat(e, &st), 0);
    EXPECT_OCT(st.st_mode, 0600);
    uint64_t v = 0;
    EXPECT_ERR(read(e, &v, 8), EAGAIN);
    struct pollfd ep = {e, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0};
    EXPECT(poll(&ep, 1, 0), 1);
    EXPECT_HEX(ep.revents, POLLOUT);
    v = 3;
    EXPECT(write(e, &v, 8), 8);
    EXPECT(write(e, &v, 8), 8);
    EXPECT(poll(&ep, 1, 0), 1);
    EXPECT_HEX(ep.revents, POLLIN | POLLOUT);
    EXPECT_ERR(read(e, &v, 7), EINVAL);
    EXPECT_ERR(write(e, &v, 4), EINVAL);
    EXPECT(read(e, &v, 16), 8);
    EXPECT(v, 6);
    v = UINT64_MAX;
    EXPECT_ERR(write(e, &v, 8), EINVAL);
    v = UINT64_MAX - 1;
    EXPECT(write(e, &v, 8), 8);
    EXPECT(poll(&ep, 1, 0), 1);
    EXPECT_HEX(ep.revents, POLLIN);
    v = 1;
    EXPECT_ERR(write(e, &v, 8), EAGAIN);
    EXPECT(read(e, &v, 8), 8);
    FACT(v == UINT64_MAX - 1);
    v = 1;
    EXPECT(write(e, &v, 8), 8);
    EXPECT_ERR(read(e, BADPTR, 8), EFAULT); /* the count is taken all the same */
    EXPECT_ERR(read(e, &v, 8), EAGAIN);
    EXPECT(close(e), 0);
    /* semaphore mode: each read takes 1 */
    e = EXPECT(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC), 3);
    EXPECT(fcntl(e, F_GETFD), FD_CLOEXEC);
    EXPECT(read(e, &v, 8), 8);
    EXPECT(v, 1);
    EXPECT(read(e, &v, 8), 8);
    EXPECT(v, 1);
    EXPECT_ERR(read(e, &v, 8), EAGAIN);
    EXPECT(close(e), 0);
    EXPECT_ERR(eventfd(0, 1 << 20), EINVAL);
    /* a blocking eventfd read with a poll timeout first */
    e = EXPECT(eventfd(0, 0), 3);
    ep.events = POLLIN;
    EXPECT(poll(&ep, 1, 30), 0);
    v = 7;
    EXPECT(write(e, &v, 8), 8);
    EXPECT(read(e, &v, 8), 8);
    EXPECT(v, 7);
    EXPECT(close(e), 0);

    return guest_done();
}
