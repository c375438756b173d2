/* Two processes bounce one byte over a pair of pipes: prints ns per round trip (median of REPS). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000;
    int a[2], b[2];
    char c = 'x';
    if (pipe(a) || pipe(b)) return 1;
    pid_t pid = fork();
    if (pid == 0) {
        for (long i = 0; i < n * 6; i++) {
            if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1) _exit(1);
        }
        _exit(0);
    }
    for (int r = 0; r < 6; r++) { /* the first repetition warms up */
        long long t0 = now();
        for (long i = 0; i < n; i++) {
            if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1) return 1;
        }
        if (r > 0) printf("%.0f\n", (double) (now() - t0) / n);
    }
    int st;
    waitpid(pid, &st, 0);
    return 0;
}
