/* Synchronous faults delivered to handlers: SIGSEGV (si_addr, si_code, trapno, err; recovery with siglongjmp),
 * SIGFPE from an integer division by zero, SIGILL from ud2, SIGTRAP from int3. */
#include "guest.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ucontext.h>

static sigjmp_buf env;
static volatile int got_sig, got_code;
static volatile void *got_addr;
static volatile long got_trapno, got_err, got_rip;

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    got_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    got_err = uc->uc_mcontext.gregs[REG_ERR];
    got_rip = uc->uc_mcontext.gregs[REG_RIP];
    siglongjmp(env, 1);
}

static void install(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void report(const char *what) {
    printf("%s: sig=%d code=%d trapno=%ld\n", what, got_sig, got_code, got_trapno);
}

int main(void) {
    install(SIGSEGV);
    install(SIGFPE);
    install(SIGILL);
    install(SIGTRAP);

    /* a read of an unmapped address */
    if (sigsetjmp(env, 1) == 0) {
        (void) *(volatile char *) 0x10;
        SAY("no fault\n");
    }
    report("read of 0x10");
    FACT(got_addr == (void *) 0x10);
    EXPECT(got_err, 4);                                              /* user mode, read, not present */

    /* a write to a read-only page */
    char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(env, 1) == 0) {
        page[100] = 1;
        SAY("no fault\n");
    }
    report("write to a read-only page");
    FACT(got_addr == page + 100);
    EXPECT(got_err & 6, 6);                                          /* user mode, write (present or not: untouched) */

    /* the mask is restored by siglongjmp(env, 1): the handler can run again */
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    EXPECT(sigismember(&m, SIGSEGV), 0);

    /* a non-canonical address: #GP, SI_KERNEL, no address */
    if (sigsetjmp(env, 1) == 0) {
        (void) *(volatile char *) 0x8000000000000000UL;
        SAY("no fault\n");
    }
    report("read of a non-canonical address");
    FACT(got_addr == NULL);

    /* integer division by zero */
    volatile int zero = 0, num = 7;
    if (sigsetjmp(env, 1) == 0) {
        num = num / zero;
        SAY("no fault\n");
    }
    report("division by zero");
    EXPECT(got_code, FPE_INTDIV);
    FACT(got_addr == (void *) got_rip);

    /* ud2 */
    if (sigsetjmp(env, 1) == 0) {
        __asm__ volatile("ud2");
        SAY("no fault\n");
    }
    report("ud2");
    EXPECT(got_code, ILL_ILLOPN);
    FACT(got_addr == (void *) got_rip);

    /* int3: RIP is past the instruction */
    if (sigsetjmp(env, 1) == 0) {
        __asm__ volatile("int3");
        SAY("no fault\n");
    }
    report("int3");
    FACT(got_rip != 0);
    return guest_done();
}
