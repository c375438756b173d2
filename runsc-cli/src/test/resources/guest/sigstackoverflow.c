/* The classic use of sigaltstack: a runaway recursion overflows the stack, and a SIGSEGV handler on the
 * alternate stack recovers with siglongjmp. Then an alternate stack too small for the frame: SIGSEGV kills. */
// guest-exit: 139
#include "guest.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/auxv.h>

static sigjmp_buf env;
static volatile int on_alt, got_code;
static char *alt;
static size_t alt_size = 1 << 16;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    char local;
    on_alt = &local >= alt && &local < alt + alt_size;
    got_code = si->si_code;
    (void) sig;
    (void) ctx;
    siglongjmp(env, 1);
}

/* Recurses until the stack runs out; the depth limit is never reached (it only keeps gcc from calling the
 * recursion infinite). */
static int recurse(volatile char *p, long n) {
    volatile char buf[1024];
    buf[0] = (char) n;
    buf[1023] = p ? p[0] : 0;
    if (n > (1L << 40)) {
        return 0;
    }
    return recurse(buf, n + 1) + buf[0];
}

static void on_usr1(int sig) {
    SAY("handler ran\n");
    (void) sig;
}

int main(void) {
    alt = malloc(alt_size);
    stack_t ss = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
    EXPECT(sigaltstack(&ss, NULL), 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(env, 1) == 0) {
        recurse(NULL, 0);
        SAY("not reached\n");
    }
    SAY("recovered from a stack overflow\n");
    FACT(on_alt);
    EXPECT(got_code, SEGV_MAPERR);

    /* the kernel tells the frame size in the auxiliary vector (glibc's sysconf(_SC_MINSIGSTKSZ) uses it) */
    FACT(getauxval(AT_MINSIGSTKSZ) >= 2048);
    FACT(sysconf(_SC_MINSIGSTKSZ) >= (long) getauxval(AT_MINSIGSTKSZ));

    /* 2048 bytes, the legacy MINSIGSTKSZ, are too small for a frame with an XSAVE area: Linux cannot build it */
    ss.ss_size = 2048;
    EXPECT(sigaltstack(&ss, NULL), 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    SAY("raising SIGUSR1 onto a 2048-byte stack\n");
    fflush(stdout);
    raise(SIGUSR1);
    SAY("not reached\n");
    return guest_done();
}
