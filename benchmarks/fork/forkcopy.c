/* fork+exit+wait latency with N MiB of touched private memory (argv[1], default 100): best and mean of 20.
 * The child checks two bytes of the copy, so the memory cannot be optimised away. With a second argument "write"
 * the child also writes one byte in every page but the first and last (copy-on-write's worst case: every page gets copied).
 * Build: gcc -static -O1 -o forkcopy forkcopy.c; run natively and as `bin/jrunsc do ./forkcopy 100 [write]`. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    int writes = argc > 2 && strcmp(argv[2], "write") == 0;
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
            if (writes) {
                for (size_t j = 4096; j + 4096 < len; j += 4096) { /* all but the two pages checked */
                    p[j] = (unsigned char) (p[j] + 1);
                }
            }
            _exit(len && (p[0] != 0 || p[len - 4096] != (unsigned char) ((len - 4096) >> 12)));
        }
        int st;
        waitpid(c, &st, 0);
        double d = now() - t0;
        bad |= WEXITSTATUS(st);
        sum += d;
        best = d < best ? d : best;
    }
    for (size_t j = 4096; j < len; j += 4096) {
        bad |= p[j] != (unsigned char) (j >> 12); /* the children's writes stay theirs */
    }
    printf("fork+exit+wait, %zu MiB touched%s: best %.2f ms, mean %.2f ms%s\n", len >> 20,
           writes ? ", child writes every page" : "", best * 1e3, sum / n * 1e3, bad ? " (BAD COPY)" : "");
    return bad;
}
