/* CPU-time accounting: getrusage (SELF, THREAD, CHILDREN), wait4's rusage, times, /proc/self/stat's utime and
 * cutime, and the CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, clock_getcpuclockid,
 * pthread_getcpuclockid). Times vary from run to run, so every line is a relation: burned CPU shows up as user
 * time in the right places, in plausible amounts, and not where it was not burned. */
#include "guest.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

#define MS 1000000LL
#define BURN_NS (200 * MS)

static long long ts_ns(struct timespec ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }
static long long tv_ns(struct timeval tv) { return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL; }

static long long clock_ns(clockid_t c) {
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0) return -1;
    return ts_ns(ts);
}

static volatile unsigned long sink;

/* Spins until clock c has advanced by ns, or 20 s of wall time passed (a clock that does not move). */
static int burn(clockid_t c, long long ns) {
    long long start = clock_ns(c), wall = clock_ns(CLOCK_MONOTONIC);
    for (;;) {
        for (int i = 0; i < 2000000; i++) sink += i * 7;
        if (clock_ns(c) - start >= ns) return 1;
        if (clock_ns(CLOCK_MONOTONIC) - wall > 20000 * MS) return 0;
    }
}

/* utime and stime from /proc/self/stat (fields 14 to 17), in ticks. */
static void proc_times(long long *out) {
    char buf[1024] = {0};
    int fd = open("/proc/self/stat", O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0) exit(2);
    close(fd);
    char *p = strrchr(buf, ')') + 2;
    for (int field = 3; field < 14; field++) p = strchr(p, ' ') + 1;
    sscanf(p, "%lld %lld %lld %lld", &out[0], &out[1], &out[2], &out[3]);
}

static void child_burns(void) {
    long long wall0 = clock_ns(CLOCK_MONOTONIC);
    FACT(burn(CLOCK_PROCESS_CPUTIME_ID, BURN_NS));
    long long wall = clock_ns(CLOCK_MONOTONIC) - wall0;
    long long thr = clock_ns(CLOCK_THREAD_CPUTIME_ID), proc = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    FACT(proc >= BURN_NS);
    FACT(thr >= BURN_NS * 9 / 10 && thr <= proc);
    struct rusage self, thread;
    EXPECT(getrusage(RUSAGE_SELF, &self), 0);
    EXPECT(getrusage(RUSAGE_THREAD, &thread), 0);
    long long user = tv_ns(self.ru_utime), sys = tv_ns(self.ru_stime);
    SAY("self: utime>=100ms %d, utime<=wall %d, utime+stime near the process clock %d, maxrss>0 %d\n",
        user >= 100 * MS, user <= wall + 10 * MS, llabs(user + sys - proc) <= 50 * MS + proc / 5,
        self.ru_maxrss > 0);
    SAY("thread: utime>=100ms %d, utime<=self's %d\n", tv_ns(thread.ru_utime) >= 100 * MS,
        tv_ns(thread.ru_utime) <= user + 10 * MS);
    struct tms tm;
    FACT(times(&tm) != (clock_t) -1);
    SAY("times: tms_utime>=10 ticks %d, tms_cutime==0 %d\n", tm.tms_utime >= 10, tm.tms_cutime == 0);
    long long st[4];
    proc_times(st);
    SAY("/proc/self/stat: utime>=10 ticks %d, cutime==0 %d\n", st[0] >= 10, st[2] == 0);
    clockid_t mine;
    EXPECT(clock_getcpuclockid(0, &mine), 0);
    SAY("clock_getcpuclockid(0): >=200ms %d\n", clock_ns(mine) >= BURN_NS);
    EXPECT(pthread_getcpuclockid(pthread_self(), &mine), 0);
    SAY("pthread_getcpuclockid(self): >=180ms %d\n", clock_ns(mine) >= BURN_NS * 9 / 10);
}

static void *thread_burns(void *arg) {
    (void) arg;
    burn(CLOCK_THREAD_CPUTIME_ID, BURN_NS);
    return NULL;
}

int main(void) {
    struct rusage ru;
    EXPECT(getrusage(RUSAGE_CHILDREN, &ru), 0);
    SAY("children before any: utime==0 %d, stime==0 %d\n", tv_ns(ru.ru_utime) == 0, tv_ns(ru.ru_stime) == 0);
    EXPECT_ERR(getrusage(2, &ru), EINVAL);
    EXPECT_ERR(getrusage(RUSAGE_SELF, (struct rusage *) 1), EFAULT);

    /* 1. a child that burns CPU, seen by itself, by its parent's clock of it, and by wait4 */
    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0) return 2;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        child_burns();
        fflush(stdout);
        write(ready[1], "r", 1);
        char ch;
        read(go[0], &ch, 1);
        _exit(0);
    }
    char ch;
    read(ready[0], &ch, 1);
    clockid_t cc;
    EXPECT(clock_getcpuclockid(c, &cc), 0);
    SAY("the child's process clock from the parent: >=200ms %d\n", clock_ns(cc) >= BURN_NS);
    struct timespec ts;
    EXPECT_ERR(clock_gettime(((~(clockid_t) c) << 3) | 6, &ts), EINVAL); /* its thread: not ours */
    EXPECT_ERR(clock_gettime(((~(clockid_t) 0) << 3) | 3, &ts), EINVAL); /* clock type 3 */
    EXPECT(clock_getres(cc, &ts), 0);
    SAY("resolution of a CPUCLOCK_SCHED clock: %ld.%09ld\n", (long) ts.tv_sec, ts.tv_nsec);
    EXPECT(getrusage(RUSAGE_CHILDREN, &ru), 0);
    SAY("children while it runs: utime==0 %d\n", tv_ns(ru.ru_utime) == 0);
    write(go[1], "g", 1);
    int status;
    EXPECT(wait4(c, &status, 0, &ru) == c, 1);
    SAY("wait4 rusage: utime>=100ms %d, maxrss>0 %d\n", tv_ns(ru.ru_utime) >= 100 * MS, ru.ru_maxrss > 0);
    EXPECT(getrusage(RUSAGE_CHILDREN, &ru), 0);
    long long children = tv_ns(ru.ru_utime);
    SAY("children after wait4: utime>=100ms %d, maxrss>0 %d\n", children >= 100 * MS, ru.ru_maxrss > 0);
    struct tms tm;
    FACT(times(&tm) != (clock_t) -1);
    SAY("times: tms_cutime>=10 ticks %d, tms_utime<10 ticks %d\n", tm.tms_cutime >= 10, tm.tms_utime < 10);
    long long st[4];
    proc_times(st);
    SAY("/proc/self/stat: cutime>=10 ticks %d, utime<10 ticks %d\n", st[2] >= 10, st[0] < 10);
    EXPECT(getrusage(RUSAGE_SELF, &ru), 0);
    SAY("self: utime<100ms %d\n", tv_ns(ru.ru_utime) < 100 * MS);

    /* 2. a grandchild's time reaches the grandparent through its parent's wait */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            burn(CLOCK_PROCESS_CPUTIME_ID, BURN_NS);
            _exit(0);
        }
        waitpid(g, NULL, 0);
        _exit(0);
    }
    EXPECT(wait4(c, &status, 0, &ru) == c, 1);
    SAY("wait4 rusage of a child that waited for a burning grandchild: utime>=100ms %d\n",
        tv_ns(ru.ru_utime) >= 100 * MS);
    EXPECT(getrusage(RUSAGE_CHILDREN, &ru), 0);
    SAY("children now hold both: utime>=200ms %d\n", tv_ns(ru.ru_utime) >= children + 100 * MS);

    /* 3. a thread's clock, read by another thread of the process */
    long long main0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    pthread_t th;
    pthread_create(&th, NULL, thread_burns, NULL);
    pthread_join(th, NULL);
    SAY("main thread's clock after a thread burned: grew<100ms %d\n",
        clock_ns(CLOCK_THREAD_CPUTIME_ID) - main0 < 100 * MS);
    EXPECT(getrusage(RUSAGE_SELF, &ru), 0);
    SAY("self after the thread: utime>=100ms %d\n", tv_ns(ru.ru_utime) >= 100 * MS);
    EXPECT(getrusage(RUSAGE_THREAD, &ru), 0);
    SAY("main thread: utime<100ms %d\n", tv_ns(ru.ru_utime) < 100 * MS);
    return guest_done();
}
