/* Clocks and sleeps. Raw syscalls throughout: glibc would answer clock_gettime, gettimeofday and time from the
 * vDSO without entering the kernel, and would turn bad pointers into crashes there. */
#include "guest.h"

#include <sys/time.h>
#include <time.h>

static long long ns(const struct timespec *t) {
    return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now(clockid_t c) {
    struct timespec t;
    syscall(SYS_clock_gettime, c, &t);
    return ns(&t);
}

int main(void) {
    struct timespec a, b, res;

    /* every clock of this milestone reads, and the monotonic ones do not go back */
    EXPECT(syscall(SYS_clock_gettime, CLOCK_REALTIME, &a), 0);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a), 0);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b), 0);
    FACT(ns(&b) >= ns(&a));
    FACT(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &b), 0);
    FACT(ns(&b) >= ns(&a));                   /* boot time includes suspend: never behind monotonic */
    EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC_RAW, &a), 0);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_REALTIME_COARSE, &a), 0);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC_COARSE, &a), 0);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &a), 0);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &a), 0);
    FACT(ns(&a) > 0);                         /* this thread has run */
    long long m1 = now(CLOCK_MONOTONIC);
    for (int i = 0; i < 1000; i++) {
        long long m2 = now(CLOCK_MONOTONIC);
        if (m2 < m1) {
            FACT(m2 >= m1);
            break;
        }
        m1 = m2;
    }
    EXPECT_ERR(syscall(SYS_clock_gettime, 100, &a), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR), EFAULT);
    char unaligned[sizeof(struct timespec) + 1];
    EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, unaligned + 1), 0);    /* no alignment is required */

    /* the three ways to read the wall clock agree */
    struct timeval tv;
    EXPECT(syscall(SYS_clock_gettime, CLOCK_REALTIME, &a), 0);
    EXPECT(syscall(SYS_gettimeofday, &tv, NULL), 0);
    long t = EXPECT_OK(syscall(SYS_time, NULL));
    FACT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    /* gettimeofday truncates to microseconds, so it may trail the earlier nanosecond reading by up to 1 us */
    long long diff = (tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL) - ns(&a);
    FACT(diff > -1000 && diff < 1000000000LL);
    FACT(t >= a.tv_sec && t - a.tv_sec <= 1);
    FACT(a.tv_sec > 1600000000);              /* after 2020: the clock is set */
    time_t t2 = 0;
    FACT(syscall(SYS_time, &t2) >= t && t2 >= t);
    EXPECT(syscall(SYS_gettimeofday, NULL, NULL), 0);
    EXPECT_ERR(syscall(SYS_gettimeofday, BADPTR, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_time, BADPTR), EFAULT);

    /* resolutions: high-resolution clocks report 1 ns */
    EXPECT(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res), 0);
    printf("clock_getres(CLOCK_MONOTONIC) = {%ld, %ld}\n", (long) res.tv_sec, res.tv_nsec);
    EXPECT(syscall(SYS_clock_getres, CLOCK_REALTIME, &res), 0);
    printf("clock_getres(CLOCK_REALTIME) = {%ld, %ld}\n", (long) res.tv_sec, res.tv_nsec);
    EXPECT(syscall(SYS_clock_getres, CLOCK_BOOTTIME, &res), 0);
    printf("clock_getres(CLOCK_BOOTTIME) = {%ld, %ld}\n", (long) res.tv_sec, res.tv_nsec);
    EXPECT(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), 0);
    EXPECT_ERR(syscall(SYS_clock_getres, 100, &res), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BADPTR), EFAULT);

    /* nanosleep sleeps at least as long as asked */
    struct timespec ten_ms = {0, 10 * 1000 * 1000}, rem = {7, 7};
    long long s0 = now(CLOCK_MONOTONIC);
    EXPECT(syscall(SYS_nanosleep, &ten_ms, &rem), 0);
    FACT(now(CLOCK_MONOTONIC) - s0 >= 10 * 1000 * 1000);
    struct timespec zero = {0, 0};
    EXPECT(syscall(SYS_nanosleep, &zero, NULL), 0);
    struct timespec bad_ns = {0, 1000000000}, neg_ns = {0, -1}, neg_s = {-1, 0};
    EXPECT_ERR(syscall(SYS_nanosleep, &bad_ns, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_nanosleep, &neg_ns, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_nanosleep, &neg_s, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_nanosleep, NULL, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_nanosleep, BADPTR, NULL), EFAULT);

    /* clock_nanosleep: relative, absolute, and an absolute time already past */
    s0 = now(CLOCK_MONOTONIC);
    EXPECT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ten_ms, NULL), 0);
    FACT(now(CLOCK_MONOTONIC) - s0 >= 10 * 1000 * 1000);
    struct timespec until;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &until);
    until.tv_nsec += 10 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    EXPECT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL), 0);
    FACT(now(CLOCK_MONOTONIC) >= ns(&until));
    struct timespec past = {1, 0};
    EXPECT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &until);
    until.tv_nsec = 0;                        /* the start of the current second: already past */
    EXPECT(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL), 0);
    EXPECT(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &zero, NULL), 0);
    /* clock_nanosleep returns the error as -1/errno from the raw syscall (glibc's wrapper returns it) */
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad_ns, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &neg_ns, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, 100, 0, &ten_ms, NULL), EINVAL);
    /* sleeping on its own CPU clock could never end: the man page says EINVAL, the kernel says EOPNOTSUPP */
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ten_ms, NULL), EOPNOTSUPP);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR, NULL), EFAULT);
    EXPECT(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad_ns, NULL), EINVAL);
    return guest_done();
}
