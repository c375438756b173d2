/* A static C getpid loop: the whole-workload form of the syscall round trip. Prints ns per getpid for each of
 * REPS repetitions of N calls, timed with CLOCK_MONOTONIC (two clock_gettime calls per repetition). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    long pid = syscall(SYS_getpid);
    for (long i = 0; i < n / 10; i++) { /* warm-up: lets the sentry's JIT compile the path */
        if (syscall(SYS_getpid) != pid) return 1;
    }
    for (int r = 0; r < reps; r++) {
        long long t0 = now_ns();
        for (long i = 0; i < n; i++) {
            if (syscall(SYS_getpid) != pid) return 1;
        }
        printf("%.0f\n", (double) (now_ns() - t0) / n);
    }
    return 0;
}
