/* Default actions: ignored and default-ignored signals do nothing; a blocked SIGTERM stays pending, and
 * unblocking it ends the process (status 128 + 15, as a shell reports it). */
// guest-exit: 143
#include "guest.h"

#include <signal.h>

int main(void) {
    EXPECT(raise(SIGCHLD), 0);                                       /* default: ignore */
    EXPECT(raise(SIGURG), 0);
    signal(SIGUSR1, SIG_IGN);
    EXPECT(raise(SIGUSR1), 0);
    /* a blocked SIGTERM waits; unblocking it kills */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    EXPECT(kill(getpid(), SIGTERM), 0);
    SAY("still alive with SIGTERM pending\n");
    fflush(stdout);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    SAY("not reached\n");
    return guest_done();
}
