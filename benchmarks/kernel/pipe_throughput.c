/* A child writes TOTAL_MIB MiB into a pipe in 1 MiB writes; the parent reads it: prints MiB/s per repetition. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    long mib = argc > 1 ? atol(argv[1]) : 256;
    static char buf[CHUNK];
    memset(buf, 'z', sizeof buf);
    for (int r = 0; r < 6; r++) {
        int p[2];
        if (pipe(p)) return 1;
        long long t0 = now();
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            for (long i = 0; i < mib; i++) {
                for (size_t off = 0; off < CHUNK;) {
                    ssize_t w = write(p[1], buf + off, CHUNK - off);
                    if (w <= 0) _exit(1);
                    off += w;
                }
            }
            _exit(0);
        }
        close(p[1]);
        long long got = 0;
        ssize_t k;
        while ((k = read(p[0], buf, CHUNK)) > 0) got += k;
        close(p[0]);
        int st;
        waitpid(pid, &st, 0);
        if (got != mib * CHUNK) return 2;
        if (r > 0) printf("%.0f\n", mib / ((now() - t0) / 1e9));
    }
    return 0;
}
