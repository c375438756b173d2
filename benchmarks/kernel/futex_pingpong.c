/* Two threads hand a token back and forth with FUTEX_WAIT/FUTEX_WAKE: prints ns per round trip. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int turn;
static long n;

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void wait_for(int want) {
    int v;
    while ((v = atomic_load(&turn)) != want) {
        syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
    }
}

static void pass(int to) {
    atomic_store(&turn, to);
    syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *arg) {
    (void) arg;
    for (long i = 0; i < n * 6; i++) {
        wait_for(1);
        pass(0);
    }
    return NULL;
}

int main(int argc, char **argv) {
    n = argc > 1 ? atol(argv[1]) : 10000;
    pthread_t th;
    pthread_create(&th, NULL, partner, NULL);
    for (int r = 0; r < 6; r++) {
        long long t0 = now();
        for (long i = 0; i < n; i++) {
            pass(1);
            wait_for(0);
        }
        if (r > 0) printf("%.0f\n", (double) (now() - t0) / n);
    }
    pthread_join(th, NULL);
    return 0;
}
