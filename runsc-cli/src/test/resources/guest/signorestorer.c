/* A handler installed without SA_RESTORER: x86-64 has no default return path, so Linux cannot build the frame
 * and kills the process with SIGSEGV instead of running the handler. */
// guest-exit: 139
#include "guest.h"

#include <signal.h>

struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

static void handler(int sig) {
    SAY("handler ran\n");
    (void) sig;
}

int main(void) {
    struct ksigaction act = {(void *) handler, 0, NULL, 0};
    EXPECT(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 8), 0);
    SAY("raising SIGUSR1\n");
    fflush(stdout);
    syscall(SYS_kill, getpid(), SIGUSR1);
    SAY("not reached\n");
    return guest_done();
}
