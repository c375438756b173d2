/* A fault whose signal is blocked kills the process even though a handler exists (Linux forces SIG_DFL). */
// guest-exit: 139
#include "guest.h"

#include <signal.h>

static void on_segv(int sig) {
    SAY("handler ran\n");
    _exit(3);
    (void) sig;
}

int main(void) {
    signal(SIGSEGV, on_segv);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_BLOCK, &s, NULL);
    SAY("faulting with SIGSEGV blocked\n");
    fflush(stdout);
    (void) *(volatile int *) 8;
    SAY("not reached\n");
    return guest_done();
}
