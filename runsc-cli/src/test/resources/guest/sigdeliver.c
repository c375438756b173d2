/* Signal delivery: handlers and their siginfo, masks, nesting, SA_NODEFER/SA_RESETHAND, pending order,
 * rt_sigtimedwait, rt_sigsuspend, sigaltstack, the ucontext and the FP state a handler sees and gets back. */
#include "guest.h"

#include <signal.h>
#include <stdint.h>
#include <sys/ucontext.h>

#define BIT(sig) (1UL << ((sig) - 1))

static char log_buf[256];
static int log_len;
static void note(const char *s) {
    while (*s && log_len < (int) sizeof log_buf - 1) {
        log_buf[log_len++] = *s++;
    }
    log_buf[log_len] = 0;
}
static void log_reset(void) {
    log_len = 0;
    log_buf[0] = 0;
}

static unsigned long cur_mask(void) {
    unsigned long m = 0;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    return m;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, unsigned long mask) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s <= 64; s++) {
        if (mask & BIT(s)) {
            sigaddset(&sa.sa_mask, s);
        }
    }
    sigaction(sig, &sa, NULL);
}

/* What the last handler saw. */
static volatile int got_signo, got_code, got_pid_ok, got_uid_ok, got_value, got_depth, max_depth;
static volatile unsigned long got_mask, got_uc_mask, got_oldmask, got_uc_flags;

static void record(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    got_signo = si->si_signo;
    got_code = si->si_code;
    got_pid_ok = si->si_pid == getpid();
    got_uid_ok = si->si_uid == getuid();
    got_value = si->si_value.sival_int;
    got_mask = cur_mask();
    got_uc_mask = *(unsigned long *) &uc->uc_sigmask;
    got_oldmask = 0;
    got_uc_flags = uc->uc_flags;
    (void) sig;
}

static void nested_outer(int sig, siginfo_t *si, void *ctx) {
    note("<1");
    raise(SIGUSR2);
    note("1>");
    (void) sig; (void) si; (void) ctx;
}

static void nested_inner(int sig, siginfo_t *si, void *ctx) {
    note("<2>");
    (void) sig; (void) si; (void) ctx;
}

static void self_raise(int sig, siginfo_t *si, void *ctx) {
    got_depth++;
    if (got_depth > max_depth) {
        max_depth = got_depth;
    }
    static int raised;
    if (!raised) {
        raised = 1;
        raise(sig);
    }
    got_depth--;
    (void) si; (void) ctx;
}

static void order(int sig, siginfo_t *si, void *ctx) {
    char b[16];
    snprintf(b, sizeof b, "%d:%d ", sig, si->si_code == SI_QUEUE ? si->si_value.sival_int : -1);
    note(b);
    (void) ctx;
}

static char *alt_base;
static size_t alt_size = 65536;
static volatile int on_alt, alt_flags_in_handler, perm_in_handler;
static void alt_handler(int sig, siginfo_t *si, void *ctx) {
    char local;
    on_alt = &local >= alt_base && &local < alt_base + alt_size;
    stack_t cur;
    sigaltstack(NULL, &cur);
    alt_flags_in_handler = cur.ss_flags;
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    errno = 0;
    perm_in_handler = sigaltstack(&ss, NULL) == -1 ? errno : 0;
    (void) sig; (void) si; (void) ctx;
}

static volatile unsigned handler_mxcsr, frame_mxcsr, frame_magic_ok;
static volatile double handler_sum;
static void fp_handler(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    handler_mxcsr = m;
    frame_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    /* _fpx_sw_bytes.magic1 at offset 464 of the legacy area, FP_XSTATE_MAGIC2 right after the XSAVE area */
    uint32_t *sw = (uint32_t *) ((char *) uc->uc_mcontext.fpregs + 464);
    frame_magic_ok = sw[0] == 0x46505853U && *(uint32_t *) ((char *) uc->uc_mcontext.fpregs + sw[4]) == 0x46505845U;
    /* clobber the vector registers and MXCSR; sigreturn must bring the interrupted values back */
    double x = 1.5;
    for (int i = 0; i < 10; i++) {
        x = x * 1.25 + 0.5;
    }
    handler_sum = x;
    __asm__ volatile("xorpd %%xmm8, %%xmm8\n\tpcmpeqd %%xmm9, %%xmm9" ::: "xmm8", "xmm9");
    unsigned z = 0x7f80;
    __asm__ volatile("ldmxcsr %0" ::"m"(z));
    (void) sig; (void) si;
}

static void skip_ud2(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* resume after the ud2: sigreturn takes RIP from the frame */
    got_signo = sig;
    got_code = si->si_code;
}

static volatile int plain_calls;
static void plain(int sig) {
    plain_calls++;
    (void) sig;
}

int main(void) {
    /* kill from self: SI_USER with our pid and uid */
    install(SIGUSR1, record, 0, BIT(SIGHUP));
    EXPECT(kill(getpid(), SIGUSR1), 0);
    EXPECT(got_signo, SIGUSR1);
    EXPECT(got_code, SI_USER);
    FACT(got_pid_ok);
    FACT(got_uid_ok);
    EXPECT_HEX(got_mask, BIT(SIGUSR1) | BIT(SIGHUP));                /* the signal and sa_mask, in the handler */
    EXPECT_HEX(got_uc_mask, 0);                                      /* the interrupted mask, in the frame */
    EXPECT_HEX(cur_mask(), 0);                                       /* restored by rt_sigreturn */
    CHECK(got_uc_flags);

    /* raise and tgkill: SI_TKILL */
    got_signo = 0;
    EXPECT(raise(SIGUSR1), 0);
    EXPECT(got_code, SI_TKILL);
    FACT(got_pid_ok);
    EXPECT(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1), 0);
    EXPECT(got_code, SI_TKILL);
    EXPECT(syscall(SYS_tkill, gettid(), SIGUSR1), 0);
    EXPECT(got_code, SI_TKILL);

    /* sigqueue: SI_QUEUE with the value */
    union sigval v = {.sival_int = 4242};
    EXPECT(sigqueue(getpid(), SIGUSR1, v), 0);
    EXPECT(got_code, SI_QUEUE);
    EXPECT(got_value, 4242);
    siginfo_t fake;
    memset(&fake, 0, sizeof fake);
    fake.si_code = SI_USER;                                          /* only for ourselves */
    EXPECT(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &fake), 0);
    EXPECT(got_code, SI_USER);

    /* kill errors and signal 0 */
    EXPECT(kill(getpid(), 0), 0);
    EXPECT_ERR(kill(getpid(), 65), EINVAL);
    EXPECT_ERR(kill(getpid(), -1), EINVAL);
    EXPECT_ERR(kill(999999, SIGUSR1), ESRCH);
    EXPECT_ERR(kill(999999, 65), ESRCH);
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, 0, gettid(), SIGUSR1), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, getpid() + 1000, gettid(), SIGUSR1), ESRCH);
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), gettid(), 99), EINVAL);
    EXPECT_ERR(syscall(SYS_tkill, -5, SIGUSR1), EINVAL);
    EXPECT(syscall(SYS_tgkill, getpid(), gettid(), 0), 0);
    EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BADPTR), EFAULT);

    /* an ignored signal and a default-ignored one vanish */
    signal(SIGUSR2, SIG_IGN);
    EXPECT(kill(getpid(), SIGUSR2), 0);
    EXPECT(kill(getpid(), SIGCHLD), 0);
    EXPECT(kill(getpid(), SIGWINCH), 0);
    EXPECT(kill(getpid(), SIGCONT), 0);

    /* nested: the SIGUSR1 handler raises SIGUSR2, whose handler runs inside it */
    install(SIGUSR1, nested_outer, 0, 0);
    install(SIGUSR2, nested_inner, 0, 0);
    log_reset();
    raise(SIGUSR1);
    SAY("nested: %s\n", log_buf);
    /* with SIGUSR2 in SIGUSR1's sa_mask, it waits until the outer handler returns */
    install(SIGUSR1, nested_outer, 0, BIT(SIGUSR2));
    log_reset();
    raise(SIGUSR1);
    SAY("masked nesting: %s\n", log_buf);

    /* SA_NODEFER: a handler raising its own signal is re-entered; without it the second run comes after */
    install(SIGUSR1, self_raise, SA_NODEFER, 0);
    max_depth = 0;
    raise(SIGUSR1);
    EXPECT(max_depth, 2);
    install(SIGUSR1, self_raise, 0, 0);
    max_depth = 0;
    raise(SIGUSR1);
    EXPECT(max_depth, 1);

    /* SA_RESETHAND: one delivery, then SIG_DFL */
    install(SIGUSR1, record, SA_RESETHAND, 0);
    raise(SIGUSR1);
    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    FACT(old.sa_handler == SIG_DFL);

    /* blocked signals stay pending; unblocking delivers them, stacked: the last taken runs first */
    install(SIGUSR1, order, 0, 0);
    install(SIGUSR2, order, 0, 0);
    install(SIGRTMIN + 3, order, 0, 0);
    install(SIGHUP, order, 0, 0);
    sigset_t all, none, pend;
    sigemptyset(&all);
    sigaddset(&all, SIGUSR1);
    sigaddset(&all, SIGUSR2);
    sigaddset(&all, SIGRTMIN + 3);
    sigaddset(&all, SIGHUP);
    sigprocmask(SIG_BLOCK, &all, NULL);
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);                                         /* coalesced */
    v.sival_int = 1;
    sigqueue(getpid(), SIGRTMIN + 3, v);
    v.sival_int = 2;
    sigqueue(getpid(), SIGRTMIN + 3, v);                              /* queued */
    kill(getpid(), SIGHUP);
    unsigned long p = 0;
    EXPECT(syscall(SYS_rt_sigpending, &p, 8), 0);
    EXPECT_HEX(p, BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGRTMIN + 3) | BIT(SIGHUP));
    EXPECT_ERR(syscall(SYS_rt_sigpending, &p, 16), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigpending, BADPTR, 8), EFAULT);
    log_reset();
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    SAY("delivery order: %s\n", log_buf);
    sigpending(&pend);
    EXPECT(sigismember(&pend, SIGUSR1), 0);

    /* rt_sigtimedwait takes a blocked pending signal without running its handler */
    sigprocmask(SIG_BLOCK, &all, NULL);
    log_reset();
    kill(getpid(), SIGUSR2);
    siginfo_t si;
    struct timespec zero = {0, 0}, short_wait = {0, 10 * 1000 * 1000}, bad = {0, 1000000000};
    EXPECT(sigtimedwait(&all, &si, &zero), SIGUSR2);
    EXPECT(si.si_code, SI_USER);
    FACT(si.si_pid == getpid());
    EXPECT_ERR(sigtimedwait(&all, &si, &zero), EAGAIN);
    EXPECT_ERR(sigtimedwait(&all, &si, &short_wait), EAGAIN);
    EXPECT_ERR(sigtimedwait(&all, &si, &bad), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &all, &si, &zero, 4), EINVAL);
    v.sival_int = 7;
    sigqueue(getpid(), SIGRTMIN + 3, v);
    EXPECT(sigwaitinfo(&all, &si), SIGRTMIN + 3);
    EXPECT(si.si_value.sival_int, 7);
    SAY("handlers run meanwhile: '%s'\n", log_buf);

    /* rt_sigsuspend: waits with a temporary mask, returns EINTR after the handler, restores the mask */
    kill(getpid(), SIGUSR1);
    EXPECT_ERR(sigsuspend(&none), EINTR);
    SAY("after sigsuspend: %s\n", log_buf);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    EXPECT(sigismember(&now, SIGUSR1), 1);
    EXPECT_ERR(syscall(SYS_rt_sigsuspend, &none, 4), EINVAL);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* sigaltstack */
    stack_t ss, oss;
    EXPECT(sigaltstack(NULL, &oss), 0);
    EXPECT(oss.ss_flags, SS_DISABLE);
    alt_base = malloc(alt_size);
    ss = (stack_t) {.ss_sp = alt_base, .ss_size = 1024, .ss_flags = 0};
    EXPECT_ERR(sigaltstack(&ss, NULL), ENOMEM);
    ss.ss_size = alt_size;
    ss.ss_flags = 7;
    EXPECT_ERR(sigaltstack(&ss, NULL), EINVAL);
    ss.ss_flags = 0;
    EXPECT(sigaltstack(&ss, NULL), 0);
    EXPECT(sigaltstack(NULL, &oss), 0);
    EXPECT(oss.ss_flags, 0);
    FACT(oss.ss_sp == alt_base && oss.ss_size == alt_size);
    EXPECT_ERR(sigaltstack(BADPTR, NULL), EFAULT);
    install(SIGUSR1, alt_handler, SA_ONSTACK, 0);
    raise(SIGUSR1);
    FACT(on_alt);
    EXPECT(alt_flags_in_handler, SS_ONSTACK);
    EXPECT(perm_in_handler, EPERM);
    install(SIGUSR1, alt_handler, 0, 0);                              /* without SA_ONSTACK: the usual stack */
    raise(SIGUSR1);
    EXPECT(on_alt, 0);
    ss.ss_flags = SS_DISABLE;
    EXPECT(sigaltstack(&ss, &oss), 0);
    EXPECT(sigaltstack(NULL, &oss), 0);
    EXPECT(oss.ss_flags, SS_DISABLE);
    FACT(oss.ss_sp == NULL && oss.ss_size == 0);

    /* FP state: the handler starts with the default MXCSR, the frame holds ours, and ours comes back */
    install(SIGUSR1, fp_handler, 0, 0);
    unsigned mx = 0x1f80 | 0x6000;                                   /* round toward zero */
    __asm__ volatile("ldmxcsr %0" ::"m"(mx));
    double a = 3.25, b = 0;
    uint64_t x8 = 0x0123456789abcdefULL, x8after = 0;
    __asm__ volatile("movq %0, %%xmm8" ::"r"(x8) : "xmm8");
    raise(SIGUSR1);
    __asm__ volatile("movq %%xmm8, %0" : "=r"(x8after));
    b = a * 2;
    unsigned mxafter;
    __asm__ volatile("stmxcsr %0" : "=m"(mxafter));
    EXPECT_HEX(handler_mxcsr, 0x1f80);
    EXPECT_HEX(frame_mxcsr, 0x7f80);
    EXPECT_HEX(mxafter, 0x7f80);
    FACT(frame_magic_ok);
    FACT(x8after == x8);
    FACT(b == 6.5);
    FACT(handler_sum > 10.0);
    mx = 0x1f80;
    __asm__ volatile("ldmxcsr %0" ::"m"(mx));

    /* the handler edits the saved RIP: execution resumes after the ud2 */
    install(SIGILL, skip_ud2, 0, 0);
    __asm__ volatile("ud2");
    EXPECT(got_signo, SIGILL);
    EXPECT(got_code, ILL_ILLOPN);

    /* a plain handler (no SA_SIGINFO) and SA_RESTART kept by glibc's signal() */
    signal(SIGUSR2, plain);
    raise(SIGUSR2);
    raise(SIGUSR2);
    EXPECT(plain_calls, 2);

    /* restart_syscall with nothing to restart */
    EXPECT_ERR(syscall(SYS_restart_syscall), EINTR);
    return guest_done();
}
