/* SIGKILL cannot be blocked, caught or ignored: sent to itself with everything blocked, the process dies. */
// guest-exit: 137
#include "guest.h"

#include <signal.h>

int main(void) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    EXPECT_ERR(signal(SIGKILL, SIG_IGN) == SIG_ERR ? -1 : 0, EINVAL);
    SAY("killing myself\n");
    fflush(stdout);
    kill(getpid(), SIGKILL);
    SAY("not reached\n");
    return guest_done();
}
