/* timerfd, alarm, setitimer/getitimer, POSIX timers (SIGEV_NONE, and signals kept blocked), times and
 * getrusage. Times are printed only as relations. One process. */
#include "guest.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <time.h>

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void) {
    uint64_t n = 0;

    /* timerfd: clocks and flags */
    EXPECT_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    EXPECT_ERR(timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
    int tf = EXPECT(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), 3);
    EXPECT(fcntl(tf, F_GETFD), FD_CLOEXEC);
    EXPECT_OCT(fcntl(tf, F_GETFL), O_RDWR | O_NONBLOCK);
    EXPECT_ERR(read(tf, &n, 8), EAGAIN);
    EXPECT_ERR(read(tf, &n, 4), EINVAL);
    char link[64] = {0};
    EXPECT(readlink("/proc/self/fd/3", link, sizeof link - 1), 20);
    SAY("fd 3 -> %s\n", link);
    struct itimerspec its = {{0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000}}, old;
    EXPECT(timerfd_settime(tf, 0, &its, &old), 0);
    FACT(old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0);
    struct itimerspec cur;
    EXPECT(timerfd_gettime(tf, &cur), 0);
    FACT(cur.it_interval.tv_nsec == 10 * 1000 * 1000 && cur.it_value.tv_nsec <= 10 * 1000 * 1000);
    sleep_ms(35);
    EXPECT(read(tf, &n, 8), 8);
    FACT(n >= 3);
    /* poll and epoll see it become readable again */
    struct pollfd pfd = {tf, POLLIN, 0};
    EXPECT(poll(&pfd, 1, 1000), 1);
    EXPECT_HEX(pfd.revents, POLLIN);
    int ep = EXPECT(epoll_create1(0), 4);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7}, out;
    EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, tf, &ev), 0);
    EXPECT(epoll_wait(ep, &out, 1, 1000), 1);
    EXPECT(out.data.u64, 7);
    EXPECT(read(tf, &n, 8), 8);
    FACT(n >= 1);
    /* disarm */
    memset(&its, 0, sizeof its);
    EXPECT(timerfd_settime(tf, 0, &its, &old), 0);
    FACT(old.it_interval.tv_nsec == 10 * 1000 * 1000);
    EXPECT(timerfd_gettime(tf, &cur), 0);
    FACT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    sleep_ms(15);
    EXPECT_ERR(read(tf, &n, 8), EAGAIN);
    /* absolute, already passed: expires at once */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    its.it_value = now;
    EXPECT(timerfd_settime(tf, TFD_TIMER_ABSTIME, &its, NULL), 0);
    EXPECT(poll(&pfd, 1, 1000), 1);
    EXPECT(read(tf, &n, 8), 8);
    EXPECT(n, 1);
    /* a blocking read on a one-shot timer */
    EXPECT(fcntl(tf, F_SETFL, 0), 0);
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 20 * 1000 * 1000;
    EXPECT(timerfd_settime(tf, 0, &its, NULL), 0);
    EXPECT(read(tf, &n, 8), 8);
    EXPECT(n, 1);
    its.it_value.tv_nsec = 1000000000;
    EXPECT_ERR(timerfd_settime(tf, 0, &its, NULL), EINVAL);
    EXPECT_ERR(timerfd_settime(tf, 4, &its, NULL), EINVAL);
    EXPECT_ERR(timerfd_settime(0, 0, &its, NULL), EINVAL);
    its.it_value.tv_nsec = 0;
    EXPECT_ERR(timerfd_settime(99, 0, &its, NULL), EBADF);
    EXPECT_ERR(timerfd_settime(tf, 0, BADPTR, NULL), EFAULT);
    EXPECT_ERR(timerfd_gettime(ep, &cur), EINVAL);
    EXPECT(close(ep), 0);
    EXPECT(close(tf), 0);

    /* alarm: seconds left on the previous one */
    EXPECT(alarm(100), 0);
    EXPECT(alarm(50), 100);
    EXPECT(alarm(0), 50);
    EXPECT(alarm(0), 0);

    /* setitimer and getitimer */
    struct itimerval iv = {{1, 500}, {30, 0}}, ov;
    EXPECT(setitimer(ITIMER_REAL, &iv, &ov), 0);
    FACT(ov.it_value.tv_sec == 0 && ov.it_value.tv_usec == 0);
    EXPECT(getitimer(ITIMER_REAL, &ov), 0);
    FACT(ov.it_interval.tv_sec == 1 && ov.it_interval.tv_usec == 500);
    FACT(ov.it_value.tv_sec <= 30 && ov.it_value.tv_sec >= 28);
    EXPECT(alarm(0), 30);
    EXPECT(getitimer(ITIMER_REAL, &ov), 0);
    FACT(ov.it_value.tv_sec == 0 && ov.it_value.tv_usec == 0);
    iv.it_value.tv_usec = 1000000;
    EXPECT_ERR(setitimer(ITIMER_REAL, &iv, NULL), EINVAL);
    EXPECT_ERR(setitimer(7, &iv, NULL), EINVAL);
    EXPECT_ERR(getitimer(-1, &ov), EINVAL);
    EXPECT_ERR(getitimer(ITIMER_REAL, BADPTR), EFAULT);
    iv.it_value.tv_usec = 0;
    EXPECT(setitimer(ITIMER_PROF, &iv, NULL), 0);
    EXPECT(getitimer(ITIMER_PROF, &ov), 0);
    FACT(ov.it_interval.tv_sec == 1 && ov.it_value.tv_sec <= 30 && ov.it_value.tv_sec > 0);
    memset(&iv, 0, sizeof iv);
    EXPECT(setitimer(ITIMER_PROF, &iv, NULL), 0);

    /* POSIX timers */
    timer_t id1, id2;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    EXPECT(timer_create(CLOCK_MONOTONIC, &sev, &id1), 0);
    struct itimerspec ts = {{0, 0}, {0, 20 * 1000 * 1000}};
    EXPECT(timer_settime(id1, 0, &ts, NULL), 0);
    EXPECT(timer_gettime(id1, &cur), 0);
    FACT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
    sleep_ms(30);
    EXPECT(timer_gettime(id1, &cur), 0);
    FACT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    EXPECT(timer_getoverrun(id1), 0);
    /* a signalling timer whose signal stays blocked: nothing happens to the process */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    EXPECT(sigprocmask(SIG_BLOCK, &block, NULL), 0);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    EXPECT(timer_create(CLOCK_REALTIME, &sev, &id2), 0);
    FACT(id1 != id2);
    ts.it_value.tv_nsec = 5 * 1000 * 1000;
    EXPECT(timer_settime(id2, 0, &ts, NULL), 0);
    sleep_ms(20);
    EXPECT(timer_delete(id2), 0);
    EXPECT_ERR(timer_delete(id2), EINVAL);
    EXPECT_ERR(timer_gettime(id2, &cur), EINVAL);
    EXPECT_ERR(syscall(SYS_timer_getoverrun, 12345), EINVAL);
    EXPECT_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, BADPTR, &id2), EFAULT);
    sev.sigev_notify = 99;
    EXPECT_ERR(timer_create(CLOCK_MONOTONIC, &sev, &id2), EINVAL);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = 100;
    EXPECT_ERR(timer_create(CLOCK_MONOTONIC, &sev, &id2), EINVAL);
    EXPECT_ERR(syscall(SYS_timer_create, 1000, NULL, &id2), EINVAL);
    ts.it_value.tv_nsec = -1;
    EXPECT_ERR(timer_settime(id1, 0, &ts, NULL), EINVAL);
    EXPECT(timer_delete(id1), 0);

    /* times and getrusage, as relations */
    struct tms tm1, tm2;
    clock_t c1 = times(&tm1);
    FACT(c1 > 0);
    volatile long spin = 0;
    for (long i = 0; i < 20000; i++) {
        getppid();
        spin += i;
    }
    clock_t c2 = times(&tm2);
    FACT(c2 >= c1);
    FACT(tm2.tms_utime + tm2.tms_stime >= tm1.tms_utime + tm1.tms_stime);
    FACT(tm2.tms_cutime == 0 && tm2.tms_cstime == 0);
    EXPECT(syscall(SYS_times, NULL) > 0, 1);
    EXPECT_ERR(syscall(SYS_times, BADPTR), EFAULT);
    struct rusage ru, rc;
    EXPECT(getrusage(RUSAGE_SELF, &ru), 0);
    FACT(ru.ru_maxrss > 0);
    FACT(ru.ru_utime.tv_usec < 1000000 && ru.ru_stime.tv_usec < 1000000);
    FACT(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec > 0);
    EXPECT(getrusage(RUSAGE_THREAD, &ru), 0);
    EXPECT(getrusage(RUSAGE_CHILDREN, &rc), 0);
    FACT(rc.ru_utime.tv_sec == 0 && rc.ru_utime.tv_usec == 0 && rc.ru_stime.tv_sec == 0 && rc.ru_stime.tv_usec == 0);
    EXPECT_ERR(getrusage(2, &ru), EINVAL);
    EXPECT_ERR(getrusage(-2, &ru), EINVAL);
    EXPECT_ERR(getrusage(RUSAGE_SELF, BADPTR), EFAULT);
    return guest_done();
}
