/* epoll on pipes and eventfds in one process: level- vs edge-triggered, EPOLLONESHOT, data passthrough,
 * epoll_ctl errors (EEXIST, ENOENT, EPERM, EINVAL, ELOOP, EBADF), maxevents checks, nesting, timeouts
 * (outcomes only), close removing a file from the interest list. */
#include "guest.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static struct epoll_event evs[8];

/* epoll_wait with a zero timeout; prints "n: data/events ..." */
static int waitshow(const char *label, int ep, int timeout) {
    int n = epoll_wait(ep, evs, 8, timeout);
    printf("%s: %d", label, n);
    for (int i = 0; i < n; i++) {
        printf(" [%lu %#x]", (unsigned long) evs[i].data.u64, evs[i].events);
    }
    printf("\n");
    return n;
}

int main(void) {
    int p[2];
    char buf[64];
    EXPECT(pipe2(p, O_NONBLOCK), 0);
    int ep = EXPECT(epoll_create1(0), 5);
    EXPECT(fcntl(ep, F_GETFD), 0);
    EXPECT_OCT(fcntl(ep, F_GETFL), O_RDWR);
    EXPECT_ERR(epoll_create1(EPOLL_CLOEXEC | 1), EINVAL);
    EXPECT_ERR(epoll_create(0), EINVAL);
    char link[64] = {0};
    EXPECT(readlink("/proc/self/fd/5", link, sizeof link - 1), 22);
    SAY("fd 5 -> %s\n", link);
    int ep2 = EXPECT(epoll_create(1), 6);
    int ep3 = EXPECT(epoll_create1(EPOLL_CLOEXEC), 7);
    EXPECT(fcntl(ep3, F_GETFD), FD_CLOEXEC);

    /* level-triggered: reported while readable */
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 111};
    EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    waitshow("LT empty", ep, 0);
    waitshow("LT empty, 20 ms", ep, 20);
    EXPECT(write(p[1], "abc", 3), 3);
    waitshow("LT data", ep, 0);
    waitshow("LT data again", ep, 0);
    EXPECT(read(p[0], buf, 1), 1);
    waitshow("LT data left", ep, 0);
    EXPECT(read(p[0], buf, sizeof buf), 2);
    waitshow("LT drained", ep, 0);

    /* edge-triggered: once per write */
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 222;
    EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    EXPECT(write(p[1], "abc", 3), 3);
    waitshow("ET data", ep, 0);
    waitshow("ET no new edge", ep, 0);
    EXPECT(read(p[0], buf, 1), 1);
    waitshow("ET after a partial read", ep, 0);
    EXPECT(write(p[1], "d", 1), 1);
    waitshow("ET new write", ep, 0);
    EXPECT(read(p[0], buf, sizeof buf), 3);
    /* MOD re-arms: a ready file is reported again after EPOLL_CTL_MOD */
    EXPECT(write(p[1], "e", 1), 1);
    waitshow("ET edge", ep, 0);
    EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    waitshow("ET after MOD", ep, 0);
    EXPECT(read(p[0], buf, sizeof buf), 1);

    /* one-shot: reported once, then disabled until MOD */
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 333;
    EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    EXPECT(write(p[1], "f", 1), 1);
    waitshow("ONESHOT", ep, 0);
    waitshow("ONESHOT disabled", ep, 0);
    EXPECT(write(p[1], "g", 1), 1);
    waitshow("ONESHOT still disabled", ep, 0);
    EXPECT(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    waitshow("ONESHOT re-armed", ep, 0);
    EXPECT(read(p[0], buf, sizeof buf), 2);

    /* the write end: EPOLLOUT, and EPOLLERR once the reader is gone */
    ev.events = EPOLLOUT;
    ev.data.u64 = 444;
    EXPECT(epoll_ctl(ep2, EPOLL_CTL_ADD, p[1], &ev), 0);
    waitshow("write end", ep2, 0);

    /* eventfds, level and edge */
    int e1 = EXPECT(eventfd(0, EFD_NONBLOCK), 8);
    int e2 = EXPECT(eventfd(0, EFD_NONBLOCK), 9);
    ev.events = EPOLLIN;
    ev.data.u64 = 501;
    EXPECT(epoll_ctl(ep3, EPOLL_CTL_ADD, e1, &ev), 0);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 502;
    EXPECT(epoll_ctl(ep3, EPOLL_CTL_ADD, e2, &ev), 0);
    waitshow("eventfds idle", ep3, 0);
    uint64_t one = 1;
    EXPECT(write(e1, &one, 8), 8);
    EXPECT(write(e2, &one, 8), 8);
    waitshow("eventfds", ep3, 0);
    waitshow("eventfds again", ep3, 0);
    EXPECT(write(e2, &one, 8), 8);
    waitshow("eventfd edge", ep3, 0);
    /* maxevents 1 takes one at a time */
    EXPECT(epoll_wait(ep3, evs, 1, 0), 1);
    /* nesting: an epoll fd is readable when its own list has events */
    ev.events = EPOLLIN;
    ev.data.u64 = 600;
    EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, ep3, &ev), 0);
    waitshow("nested", ep, 0);
    EXPECT_ERR(epoll_ctl(ep3, EPOLL_CTL_ADD, ep, &ev), ELOOP);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    EXPECT(epoll_ctl(ep, EPOLL_CTL_DEL, ep3, NULL), 0);
    /* closing the last fd of a file removes it */
    EXPECT(close(e1), 0);
    EXPECT(read(e2, &one, 8), 8);
    waitshow("after close", ep3, 0);

    /* epoll_ctl errors */
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, e2, NULL), ENOENT);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, e2, &ev), ENOENT);
    EXPECT_ERR(epoll_ctl(ep, 99, e2, &ev), EINVAL);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev), EBADF);
    EXPECT_ERR(epoll_ctl(99, EPOLL_CTL_ADD, e2, &ev), EBADF);
    EXPECT_ERR(epoll_ctl(e2, EPOLL_CTL_ADD, p[0], &ev), EINVAL);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, e2, BADPTR), EFAULT);
    int f = EXPECT(open("file", O_CREAT | O_RDWR, 0600), 8);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
    int dn = EXPECT_OK(open("/dev/null", O_RDWR));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dn, &ev), EPERM);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    EXPECT(epoll_ctl(ep2, EPOLL_CTL_ADD, e2, &ev), 0);
    EXPECT_ERR(epoll_ctl(ep2, EPOLL_CTL_MOD, e2, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    EXPECT_ERR(epoll_ctl(ep2, EPOLL_CTL_ADD, p[0], &ev), EINVAL);

    /* epoll_wait errors */
    EXPECT_ERR(epoll_wait(ep, evs, 0, 0), EINVAL);
    EXPECT_ERR(epoll_wait(ep, evs, -1, 0), EINVAL);
    EXPECT(epoll_wait(ep, BADPTR, 1, 0), 0); /* access_ok passes a user address; nothing is copied */
    EXPECT_ERR(epoll_wait(ep, (struct epoll_event *) -4096L, 1, 0), EFAULT);
    EXPECT_ERR(epoll_wait(99, evs, 1, 0), EBADF);
    EXPECT_ERR(epoll_wait(e2, evs, 1, 0), EINVAL);
    sigset_t set;
    sigemptyset(&set);
    EXPECT(epoll_pwait(ep, evs, 1, 10, &set), 0);
    EXPECT_ERR(syscall(SYS_epoll_pwait, ep, evs, 1, 0, &set, 4), EINVAL);
    struct timespec ts = {0, 10 * 1000 * 1000};
    EXPECT(syscall(SYS_epoll_pwait2, ep, evs, 1, &ts, NULL, 8), 0);
    ts.tv_nsec = -1;
    EXPECT_ERR(syscall(SYS_epoll_pwait2, ep, evs, 1, &ts, NULL, 8), EINVAL);

    /* the read end's reader closes: the write end reports EPOLLERR */
    EXPECT(close(p[0]), 0);
    waitshow("reader gone", ep2, 0);
    return guest_done();
}
