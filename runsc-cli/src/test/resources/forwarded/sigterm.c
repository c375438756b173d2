/* Waits for SIGTERMs from outside (ForwardedSignalTest sends them): the first interrupts a nanosleep without
 * SA_RESTART (EINTR and the time left), the second ends a pause(), the third reaches a busy loop in user mode;
 * then it exits 0 on its own. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int handled, code;

static void on_term(int sig, siginfo_t *si, void *ctx) {
    handled++;
    code = si->si_code;
    (void) sig;
    (void) ctx;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_term;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTERM, &sa, NULL);
    printf("ready 1\n");
    struct timespec req = {30, 0}, rem = {0, 0};
    int r = nanosleep(&req, &rem);
    int e = errno;
    printf("nanosleep = %d %s\n", r, e == EINTR ? "EINTR" : "other");
    printf("time left within (0, 30s): %s\n", rem.tv_sec < 30 && (rem.tv_sec > 0 || rem.tv_nsec > 0) ? "true" : "false");
    printf("handled %d, si_code %d\n", handled, code);
    printf("ready 2\n");
    r = pause();
    e = errno;
    printf("pause = %d %s\n", r, e == EINTR ? "EINTR" : "other");
    printf("handled %d\n", handled);
    printf("ready 3\n");
    while (handled < 3) {
        /* spin in user mode until the handler has run */
    }
    printf("busy loop left, handled %d\n", handled);
    return 0;
}
