/* abort(): SIGABRT even with a handler that returns (glibc restores SIG_DFL and raises again). */
// guest-exit: 134
#include "guest.h"

#include <signal.h>

static volatile int handled;
static void on_abrt(int sig) {
    handled++;
    (void) sig;
}

int main(void) {
    signal(SIGABRT, on_abrt);
    SAY("aborting\n");
    fflush(stdout);
    abort();
}
