/* Identity, limits, uname/sysinfo, affinity, getrandom, set_tid_address, rseq and arch_prctl. Values that differ
 * from run to run (PIDs, addresses) are printed only as relations. */
#include "guest.h"

#include <asm/prctl.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static void show_limit(const char *label, const struct rlimit *r) {
    printf("%s: soft=", label);
    r->rlim_cur == RLIM_INFINITY ? printf("unlimited") : printf("%lu", (unsigned long) r->rlim_cur);
    printf(" hard=");
    r->rlim_max == RLIM_INFINITY ? printf("unlimited") : printf("%lu", (unsigned long) r->rlim_max);
    printf("\n");
}

static int tid_word;

int main(void) {
    /* ids: a single-threaded process is its own thread group leader */
    pid_t pid = EXPECT_OK(getpid());
    FACT(pid > 0);
    FACT(gettid() == pid);
    FACT(syscall(SYS_gettid) == syscall(SYS_getpid));
    EXPECT_OK(getppid());                     /* 0 for a namespace's init, the parent's pid otherwise */
    FACT(getuid() == geteuid() && getgid() == getegid());
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    EXPECT(getresuid(&ru, &eu, &su), 0);
    FACT(ru == getuid() && eu == geteuid() && su == geteuid());
    EXPECT(getresgid(&rg, &eg, &sg), 0);
    FACT(rg == getgid() && eg == getegid() && sg == getegid());
    EXPECT_ERR(syscall(SYS_getresuid, BADPTR, &eu, &su), EFAULT);
    EXPECT_ERR(syscall(SYS_getresgid, &rg, &eg, BADPTR), EFAULT);
    /* setting what is already there is allowed for anyone; -1 as a single id is invalid */
    EXPECT(setuid(getuid()), 0);
    EXPECT(setgid(getgid()), 0);
    EXPECT(setreuid(-1, -1), 0);
    EXPECT(setregid(-1, -1), 0);
    EXPECT(setresuid(-1, -1, -1), 0);
    EXPECT(setresgid(-1, -1, -1), 0);
    EXPECT_ERR(syscall(SYS_setuid, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_setgid, -1), EINVAL);
    FACT(getuid() == ru && geteuid() == eu && getgid() == rg);
    long ngroups = CHECK(getgroups(0, NULL));
    gid_t groups[256];
    FACT(getgroups(ngroups, groups) == ngroups);
    EXPECT_ERR(getgroups(-1, groups), EINVAL);
    if (ngroups > 0) {
        EXPECT_ERR(getgroups(ngroups - 1, groups), EINVAL);
        EXPECT_ERR(getgroups(ngroups, BADPTR), EFAULT);
    }

    /* resource limits. RLIMIT_NOFILE is normalised first: the native side inherits a soft limit that the JVM
     * running the tests raised to its hard limit, which is no Linux default. */
    struct rlimit r, old;
    EXPECT(getrlimit(RLIMIT_NOFILE, &old), 0);
    r.rlim_cur = 1024;
    r.rlim_max = old.rlim_max;
    EXPECT(setrlimit(RLIMIT_NOFILE, &r), 0);
    EXPECT(getrlimit(RLIMIT_NOFILE, &r), 0);
    EXPECT((long) r.rlim_cur, 1024);
    FACT(r.rlim_max == old.rlim_max && r.rlim_max >= 1024);
    EXPECT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &r), 0);
    EXPECT((long) r.rlim_cur, 1024);
    EXPECT(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &r), 0);     /* naming oneself */
    EXPECT((long) r.rlim_cur, 1024);
    EXPECT(fcntl(0, F_DUPFD, 1023), 1023);    /* the soft limit bounds descriptor numbers */
    EXPECT(close(1023), 0);
    EXPECT_ERR(fcntl(0, F_DUPFD, 1024), EINVAL);
    EXPECT_ERR(dup2(0, 1024), EBADF);
    EXPECT(getrlimit(RLIMIT_STACK, &r), 0);
    show_limit("RLIMIT_STACK", &r);           /* Linux's default: 8 MiB, unlimited */
    EXPECT(getrlimit(RLIMIT_CORE, &r), 0);
    show_limit("RLIMIT_CORE", &r);
    EXPECT(getrlimit(RLIMIT_AS, &r), 0);
    show_limit("RLIMIT_AS", &r);
    struct rlimit bad = {.rlim_cur = 2048, .rlim_max = 1024};
    EXPECT_ERR(setrlimit(RLIMIT_NOFILE, &bad), EINVAL);                         /* soft above hard */
    struct rlimit huge = {.rlim_cur = 1024, .rlim_max = (1UL << 20) + 1};
    EXPECT_ERR(setrlimit(RLIMIT_NOFILE, &huge), EPERM);                         /* above fs.nr_open, even for root */
    EXPECT_ERR(syscall(SYS_getrlimit, 99, &r), EINVAL);
    EXPECT_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
    EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
    EXPECT_ERR(syscall(SYS_prlimit64, 0, 99, NULL, &r), EINVAL);
    EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &bad, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BADPTR), EFAULT);
    EXPECT_ERR(syscall(SYS_prlimit64, 0x3fffffff, RLIMIT_NOFILE, NULL, &r), ESRCH);
    EXPECT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL), 0);

    /* uname: only what every x86-64 Linux shares */
    struct utsname u;
    EXPECT(uname(&u), 0);
    printf("uname: sysname=%s machine=%s\n", u.sysname, u.machine);
    FACT(u.release[0] >= '2' && u.release[0] <= '9' && strchr(u.release, '.') != NULL);
    FACT(memchr(u.nodename, 0, sizeof u.nodename) != NULL);
    EXPECT_ERR(syscall(SYS_uname, NULL), EFAULT);

    /* sysinfo: sane, not exact */
    struct sysinfo si;
    EXPECT(sysinfo(&si), 0);
    FACT(si.mem_unit >= 1);
    FACT(si.totalram > 0 && si.freeram <= si.totalram);
    FACT(si.uptime >= 0);
    FACT(si.procs >= 1);
    EXPECT_ERR(syscall(SYS_sysinfo, NULL), EFAULT);

    /* scheduling */
    cpu_set_t set;
    CPU_ZERO(&set);
    EXPECT(sched_getaffinity(0, sizeof set, &set), 0);
    FACT(CPU_COUNT(&set) >= 1);
    EXPECT_OK(syscall(SYS_sched_getaffinity, 0, sizeof set, &set));   /* the raw call returns a byte count */
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, 7, &set), EINVAL);    /* not a multiple of sizeof(long) */
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, 0, &set), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, sizeof set, BADPTR), EFAULT);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0x3fffffff, sizeof set, &set), ESRCH);
    EXPECT(sched_yield(), 0);

    /* getrandom */
    unsigned char rnd[16] = {0};
    EXPECT(getrandom(rnd, sizeof rnd, 0), 16);
    int nonzero = 0;
    for (int i = 0; i < 16; i++) {
        nonzero |= rnd[i];
    }
    FACT(nonzero != 0);
    EXPECT(getrandom(rnd, sizeof rnd, GRND_NONBLOCK), 16);
    EXPECT(getrandom(rnd, sizeof rnd, GRND_INSECURE), 16);
    EXPECT(getrandom(rnd, 0, 0), 0);
    EXPECT_ERR(getrandom(rnd, sizeof rnd, 0x100), EINVAL);
    EXPECT_ERR(getrandom(rnd, sizeof rnd, GRND_INSECURE | GRND_RANDOM), EINVAL);
    EXPECT_ERR(getrandom(BADPTR, sizeof rnd, 0), EFAULT);

    /* set_tid_address returns the caller's tid */
    FACT(syscall(SYS_set_tid_address, &tid_word) == gettid());

    /* rseq: glibc registered an area at startup on Linux; the sandbox answers ENOSYS and glibc copes. The result
     * differs by design, so the line is masked. */
    static struct rseq area __attribute__((aligned(32)));
    CHECKL("~rseq(register a second area)", syscall(SYS_rseq, &area, sizeof area, 0, RSEQ_SIG));

    /* arch_prctl: FS holds glibc's thread pointer, whose first word points to itself */
    unsigned long fs = 0, gs = 1, self;
    EXPECT(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    FACT(fs == (unsigned long) pthread_self());
    FACT(fs == self);
    EXPECT(syscall(SYS_arch_prctl, ARCH_SET_FS, fs), 0);
    EXPECT(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
    EXPECT((long) gs, 0);
    EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR), EFAULT);
    EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, 1UL << 63), EPERM);          /* not a user address */
    EXPECT_ERR(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL);
    EXPECT(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
    FACT(fs == self);                          /* the failed calls changed nothing */
    return guest_done();
}
