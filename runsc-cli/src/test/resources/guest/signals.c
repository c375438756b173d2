/* rt_sigaction and rt_sigprocmask: what is stored, what is read back, and what is refused (delivery is
 * sigdeliver.c's). Raw syscalls with the kernel's struct, because glibc's wrappers add flags and hide signals 32 and 33. */
#include "guest.h"

#include <signal.h>

/** The kernel's struct sigaction on x86-64 (not glibc's, whose mask is 128 bytes). */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

#define BIT(sig) (1UL << ((sig) - 1))
#define KSA_RESTORER 0x04000000UL

static void handler(int sig) {
    (void) sig;
}

static void restorer(void) {
}

static long sigaction_raw(int sig, const struct ksigaction *act, struct ksigaction *old) {
    return syscall(SYS_rt_sigaction, sig, act, old, 8);
}

static long sigprocmask_raw(int how, const unsigned long *set, unsigned long *old) {
    return syscall(SYS_rt_sigprocmask, how, set, old, 8);
}

/** Prints an action read back, with the handler and restorer as relations to known functions. */
static void show(const char *label, const struct ksigaction *a) {
    const char *h = a->handler == (void *) handler ? "handler" : a->handler == SIG_DFL ? "SIG_DFL"
                    : a->handler == SIG_IGN ? "SIG_IGN" : "other";
    const char *r = a->restorer == (void *) restorer ? "restorer" : a->restorer == NULL ? "NULL" : "libc";
    printf("%s: handler=%s flags=%#lx restorer=%s mask=%#lx\n", label, h, a->flags, r, a->mask);
}

int main(void) {
    struct ksigaction act, old;

    /* glibc's sigaction adds SA_RESTORER and its own restorer; the kernel stores both */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    EXPECT(sigaction(SIGUSR1, &sa, NULL), 0);
    memset(&old, 0x55, sizeof old);
    EXPECT(sigaction_raw(SIGUSR1, NULL, &old), 0);
    show("rt_sigaction(SIGUSR1) after glibc sigaction", &old);

    /* a raw round trip: SIGKILL and SIGSTOP never enter sa_mask, unknown flag bits are dropped */
    act = (struct ksigaction) {handler, SA_SIGINFO | SA_ONSTACK | SA_NODEFER | KSA_RESTORER | 0x00800000UL,
                               restorer, BIT(SIGINT) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(40)};
    EXPECT(sigaction_raw(SIGUSR2, &act, NULL), 0);
    EXPECT(sigaction_raw(SIGUSR2, NULL, &old), 0);
    show("rt_sigaction(SIGUSR2) read back", &old);
    /* the old action comes back when a new one is set */
    act = (struct ksigaction) {SIG_IGN, KSA_RESTORER, restorer, 0};
    EXPECT(sigaction_raw(SIGUSR2, &act, &old), 0);
    show("rt_sigaction(SIGUSR2) old action", &old);
    EXPECT(sigaction_raw(SIGUSR2, NULL, &old), 0);
    show("rt_sigaction(SIGUSR2) now", &old);
    act = (struct ksigaction) {SIG_DFL, 0, NULL, 0};
    EXPECT(sigaction_raw(SIGUSR2, &act, NULL), 0);
    EXPECT(sigaction_raw(SIGUSR2, NULL, &old), 0);
    show("rt_sigaction(SIGUSR2) reset", &old);
    act = (struct ksigaction) {handler, KSA_RESTORER, restorer, 0};
    EXPECT(sigaction_raw(SIGRTMAX, &act, NULL), 0);                  /* 64, the last one */
    EXPECT(sigaction_raw(SIGRTMAX, NULL, &old), 0);
    show("rt_sigaction(64)", &old);
    EXPECT(sigaction_raw(SIGUSR1, NULL, NULL), 0);                   /* asking for nothing is fine */

    /* refusals */
    act = (struct ksigaction) {handler, KSA_RESTORER, restorer, 0};
    EXPECT_ERR(sigaction_raw(SIGKILL, &act, NULL), EINVAL);
    EXPECT_ERR(sigaction_raw(SIGSTOP, &act, NULL), EINVAL);
    act.handler = SIG_IGN;
    EXPECT_ERR(sigaction_raw(SIGKILL, &act, NULL), EINVAL);
    act.handler = SIG_DFL;
    EXPECT_ERR(sigaction_raw(SIGSTOP, &act, NULL), EINVAL);
    EXPECT(sigaction_raw(SIGKILL, NULL, &old), 0);                   /* reading SIGKILL's action is allowed */
    show("rt_sigaction(SIGKILL)", &old);
    EXPECT_ERR(sigaction_raw(0, NULL, &old), EINVAL);
    EXPECT_ERR(sigaction_raw(65, NULL, &old), EINVAL);
    EXPECT_ERR(sigaction_raw(-1, NULL, &old), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 16), EINVAL);
    EXPECT_ERR(sigaction_raw(SIGUSR1, BADPTR, NULL), EFAULT);
    EXPECT_ERR(sigaction_raw(SIGUSR1, NULL, BADPTR), EFAULT);
    /* a bad oldact fails the call only after the new action is in place */
    act = (struct ksigaction) {SIG_IGN, KSA_RESTORER, restorer, BIT(SIGHUP)};
    EXPECT_ERR(sigaction_raw(SIGUSR1, &act, BADPTR), EFAULT);
    EXPECT(sigaction_raw(SIGUSR1, NULL, &old), 0);
    show("rt_sigaction(SIGUSR1) after the EFAULT", &old);

    /* rt_sigprocmask: set, block, unblock, read back */
    unsigned long set = 0, got = 0x5555;
    EXPECT(sigprocmask_raw(SIG_SETMASK, &set, NULL), 0);
    EXPECT(sigprocmask_raw(SIG_BLOCK, NULL, &got), 0);
    EXPECT_HEX(got, 0);
    set = BIT(SIGUSR1) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(33) | BIT(64);
    EXPECT(sigprocmask_raw(SIG_BLOCK, &set, &got), 0);
    EXPECT_HEX(got, 0);
    EXPECT(sigprocmask_raw(SIG_BLOCK, NULL, &got), 0);
    EXPECT_HEX(got, BIT(SIGUSR1) | BIT(33) | BIT(64));               /* SIGKILL and SIGSTOP silently dropped */
    set = BIT(SIGUSR2);
    EXPECT(sigprocmask_raw(SIG_BLOCK, &set, NULL), 0);
    set = BIT(SIGUSR1) | BIT(SIGINT);                                /* unblocking what is not blocked is fine */
    EXPECT(sigprocmask_raw(SIG_UNBLOCK, &set, &got), 0);
    EXPECT_HEX(got, BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(33) | BIT(64));
    EXPECT(sigprocmask_raw(SIG_BLOCK, NULL, &got), 0);
    EXPECT_HEX(got, BIT(SIGUSR2) | BIT(33) | BIT(64));
    set = ~0UL;
    EXPECT(sigprocmask_raw(SIG_SETMASK, &set, NULL), 0);
    EXPECT(sigprocmask_raw(SIG_BLOCK, NULL, &got), 0);
    EXPECT_HEX(got, ~(BIT(SIGKILL) | BIT(SIGSTOP)));

    /* refusals: how is checked only when there is a new set */
    set = BIT(SIGUSR1);
    got = 0x5555;
    EXPECT_ERR(sigprocmask_raw(3, &set, &got), EINVAL);
    EXPECT_HEX(got, 0x5555);                                         /* the old set is not written either */
    EXPECT_ERR(sigprocmask_raw(-1, &set, NULL), EINVAL);
    EXPECT(sigprocmask_raw(99, NULL, &got), 0);
    EXPECT_HEX(got, ~(BIT(SIGKILL) | BIT(SIGSTOP)));
    EXPECT_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16), EINVAL);
    EXPECT_ERR(sigprocmask_raw(SIG_BLOCK, BADPTR, NULL), EFAULT);
    EXPECT_ERR(sigprocmask_raw(SIG_BLOCK, NULL, BADPTR), EFAULT);
    set = 0;
    EXPECT(sigprocmask_raw(SIG_SETMASK, &set, NULL), 0);
    EXPECT(sigprocmask_raw(SIG_BLOCK, NULL, &got), 0);
    EXPECT_HEX(got, 0);
    return guest_done();
}
