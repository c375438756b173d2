/* fork+exit+wait latency with N MiB of touched private memory (argv[1], default 100): best and mean of 20.
 * The child checks two bytes of the copy, so the memory cannot be optimised away.
 * Build: gcc -static -O1 -o forkcopy forkcopy.c; run natively and as `bin/jrunsc do ./forkcopy 100`. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    size_t len = (size_t) (argc > 1 ? atoi(argv[1]) : 100) << 20;
    volatile unsigned char *p = malloc(len ? len : 1);
    for (size_t i = 0; i < len; i += 4096) {
        p[i] = (unsigned char) (i >> 12);
    }
    double best = 1e9, sum = 0;
    int n = 20, bad = 0;
    for (int i = 0; i < n; i++) {
        double t0 = now();
        pid_t c = fork();
        if (c == 0) {
            _exit(len && (p[0] != 0 || p[len - 4096] != (unsigned char) ((len - 4096) >> 12)));
        }
        int st;
        waitpid(c, &st, 0);
        double d = now() - t0;
        bad |= WEXITSTATUS(st);
        sum += d;
        best = d < best ? d : best;
    }
    printf("fork+exit+wait, %zu MiB touched: best %.2f ms, mean %.2f ms%s\n", len >> 20, best * 1e3,
           sum / n * 1e3, bad ? " (BAD COPY)" : "");
    return bad;
}
