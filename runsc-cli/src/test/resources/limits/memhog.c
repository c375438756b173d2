/*
 * Maps and writes 4 MiB chunks of anonymous memory until mmap fails (or 1 GiB is reached), then reports how
 * far it got, frees everything and checks that a fresh mapping works again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK (4L << 20)
#define MAX_CHUNKS 256

static void *chunks[MAX_CHUNKS];

int main(void) {
    int n = 0, err = 0;
    while (n < MAX_CHUNKS) {
        void *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) {
            err = errno;
            break;
        }
        memset(p, 0x5a, CHUNK);
        chunks[n++] = p;
    }
    printf("mapped %d MiB, then mmap failed: %s\n", n * 4, err == ENOMEM ? "ENOMEM" : strerror(err));
    for (int i = 0; i < n; i++) {
        munmap(chunks[i], CHUNK);
    }
    void *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        memset(p, 1, CHUNK);
    }
    printf("after munmap: %s\n", p != MAP_FAILED ? "mmap ok" : strerror(errno));
    return 0;
}
