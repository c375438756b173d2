/* fork(2) memory semantics, which the sandbox implements copy-on-write: after fork each side sees its own private
 * memory (child writes, parent writes, both, many pages, grandchildren), vfork shares memory, threads writing
 * while another thread forks, read(2) from a pipe and a futex word in copy-on-write pages, mprotect of shared
 * pages, MAP_SHARED memory staying shared, and MAP_PRIVATE file mappings across fork. */
#include "guest.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096
#define NPAGES 256

static unsigned char *priv;

static long sum_pages(unsigned char *p, int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
        s += p[i * PAGE] + p[i * PAGE + PAGE - 1];
    }
    return s;
}

/* Runs fn in a child and returns its exit status (the child's verdict, 0..255). */
static int in_child(int (*fn)(void)) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        _exit(fn());
    }
    int st;
    if (waitpid(c, &st, 0) != c || !WIFEXITED(st)) {
        return -1;
    }
    return WEXITSTATUS(st);
}

static int child_writes_all(void) {
    for (int i = 0; i < NPAGES; i++) {
        priv[i * PAGE] = 0xee;
    }
    return priv[0] == 0xee && priv[(NPAGES - 1) * PAGE] == 0xee ? 7 : 1;
}

static int child_reads(void) {
    return sum_pages(priv, NPAGES) == 2L * NPAGES * 0x11 ? 8 : 1;
}

static int grandchild(void) {
    priv[3 * PAGE] = 0x33;
    return priv[3 * PAGE] == 0x33 && priv[4 * PAGE] == 0x44 ? 9 : 1;
}

static int child_forks(void) {
    priv[4 * PAGE] = 0x44;
    int g = in_child(grandchild);
    /* the grandchild's write stays in the grandchild */
    return g == 9 && priv[3 * PAGE] == 0x11 && priv[4 * PAGE] == 0x44 ? 10 : 1;
}

static int pipefd[2];

static int child_reads_pipe(void) {
    /* read(2) writes into a copy-on-write page through the sandbox's kernel */
    ssize_t n = read(pipefd[0], priv + 5 * PAGE + 10, 6);
    return n == 6 && memcmp(priv + 5 * PAGE + 10, "ABCDEF", 6) == 0 ? 11 : 1;
}

static int child_futex(void) {
    /* FUTEX_WAKE on a copy-on-write word, then a compare-and-swap on it */
    int *w = (int *) (priv + 6 * PAGE);
    if (syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) != 0) {
        return 1;
    }
    if (syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 0x11111111 + 1, NULL, NULL, 0) != -1 || errno != EAGAIN) {
        return 2;
    }
    return __sync_bool_compare_and_swap(w, 0x11111111, 5) && *w == 5 ? 12 : 3;
}

static int child_mprotect(void) {
    unsigned char *p = priv + 8 * PAGE;
    if (mprotect(p, 2 * PAGE, PROT_READ) != 0 || p[0] != 0x11) {
        return 1;
    }
    if (mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE) != 0) {
        return 2;
    }
    p[0] = 0x88;
    p[PAGE] = 0x89;
    return p[0] == 0x88 && p[PAGE] == 0x89 ? 13 : 3;
}

static int *shared;

static int child_shared(void) {
    shared[0] = 42;
    __sync_fetch_and_add(&shared[1], 1);
    return 14;
}

static unsigned char *filemap;

static int child_filemap(void) {
    if (filemap[0] != 'f' || filemap[PAGE] != 'g') {
        return 1;
    }
    filemap[0] = 'c';
    return filemap[0] == 'c' ? 15 : 2;
}

static volatile int stop_threads;
static volatile long thread_rounds;

static void *writer(void *arg) {
    unsigned char *p = arg;
    while (!stop_threads) {
        for (int i = 0; i < 8; i++) {
            p[i * PAGE] = (unsigned char) (p[i * PAGE] + 1);
        }
        thread_rounds++;
    }
    return NULL;
}

static int maps_lines(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    int n = 0, c;
    if (f == NULL) {
        return -1;
    }
    while ((c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    fclose(f);
    return n;
}

static int child_maps(void) {
    /* copying scattered pages splits nothing Linux would show */
    int before = maps_lines();
    for (int i = 0; i < NPAGES; i += 37) {
        priv[i * PAGE + 1] = 0x5a;
    }
    return before > 0 && maps_lines() == before ? 17 : 1;
}

static int rpipe[2];
static char rbuf_page[2 * PAGE] __attribute__((aligned(PAGE)));

static void *blocked_reader(void *arg) {
    (void) arg;
    return (void *) read(rpipe[0], rbuf_page + 64, 5);
}

static int child_exits(void) {
    return 18;
}

static unsigned char *tmem;

static int child_of_threads(void) {
    /* only the forking thread lives on; the memory is a snapshot that no longer moves */
    unsigned char a = tmem[0];
    for (volatile int i = 0; i < 100000; i++) {
    }
    tmem[PAGE] = 1;
    return tmem[0] == a ? 16 : 1;
}

int main(void) {
    priv = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(priv, 0x11, NPAGES * PAGE);

    SAY("child writes every page\n");
    EXPECT(in_child(child_writes_all), 7);
    EXPECT(sum_pages(priv, NPAGES), 2L * NPAGES * 0x11);

    SAY("parent writes after fork, child reads the old bytes\n");
    fflush(stdout);
    int go[2];
    EXPECT(pipe(go), 0);
    pid_t c = fork();
    if (c == 0) {
        char b;
        if (read(go[0], &b, 1) != 1) {
            _exit(2);
        }
        _exit(child_reads());
    }
    memset(priv, 0x22, NPAGES * PAGE);
    EXPECT(write(go[1], "x", 1), 1);
    int st;
    EXPECT(waitpid(c, &st, 0) == c && WIFEXITED(st) ? WEXITSTATUS(st) : -1, 8);
    EXPECT(priv[77 * PAGE], 0x22);
    memset(priv, 0x11, NPAGES * PAGE);

    SAY("both write the same page\n");
    fflush(stdout);
    c = fork();
    if (c == 0) {
        priv[PAGE] = 0xc1;
        _exit(priv[PAGE] == 0xc1 && priv[2 * PAGE] == 0x11 ? 3 : 1);
    }
    priv[PAGE] = 0xa1;
    EXPECT(waitpid(c, &st, 0) == c && WIFEXITED(st) ? WEXITSTATUS(st) : -1, 3);
    EXPECT(priv[PAGE], 0xa1);
    priv[PAGE] = 0x11;

    SAY("/proc/self/maps after copies\n");
    EXPECT(in_child(child_maps), 17);

    SAY("a fork chain\n");
    EXPECT(in_child(child_forks), 10);
    EXPECT(priv[4 * PAGE], 0x11);

    SAY("vfork shares memory until exec or exit\n");
    static volatile int vflag;
    vflag = 0;
    fflush(stdout);
    c = vfork();
    if (c == 0) {
        vflag = 1;
        _exit(0);
    }
    EXPECT(waitpid(c, &st, 0) == c, 1);
    EXPECT(vflag, 1);

    SAY("read(2) from a pipe into a copy-on-write page\n");
    EXPECT(pipe(pipefd), 0);
    EXPECT(write(pipefd[1], "ABCDEF", 6), 6);
    EXPECT(in_child(child_reads_pipe), 11);
    EXPECT(priv[5 * PAGE + 10], 0x11);
    EXPECT(write(pipefd[1], "abcdef", 6), 6);
    EXPECT(read(pipefd[0], priv + 5 * PAGE + 10, 6), 6);                 /* the parent's page is its own */
    EXPECT(priv[5 * PAGE + 10], 'a');

    SAY("a futex word in a copy-on-write page\n");
    EXPECT(in_child(child_futex), 12);
    EXPECT(*(int *) (priv + 6 * PAGE), 0x11111111);

    SAY("mprotect of copy-on-write pages\n");
    EXPECT(in_child(child_mprotect), 13);
    EXPECT(priv[8 * PAGE], 0x11);
    EXPECT(priv[9 * PAGE], 0x11);
    EXPECT(mprotect(priv + 8 * PAGE, PAGE, PROT_READ), 0);
    EXPECT(in_child(child_reads), 8);                                     /* a read-only page forks too */
    EXPECT(mprotect(priv + 8 * PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
    priv[8 * PAGE] = 0x11;

    SAY("MAP_SHARED memory stays shared\n");
    shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared[1] = 100;
    EXPECT(in_child(child_shared), 14);
    EXPECT(in_child(child_shared), 14);
    EXPECT(shared[0], 42);
    EXPECT(shared[1], 102);

    SAY("MAP_PRIVATE file mappings\n");
    int fd = open("cowfile", O_RDWR | O_CREAT | O_TRUNC, 0600);
    EXPECT(fd >= 0, 1);
    char buf[2 * PAGE];
    memset(buf, 'f', PAGE);
    memset(buf + PAGE, 'g', PAGE);
    EXPECT(write(fd, buf, sizeof buf), 2 * PAGE);
    filemap = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    EXPECT(filemap != MAP_FAILED, 1);
    EXPECT(in_child(child_filemap), 15);
    EXPECT(filemap[0], 'f');
    filemap[PAGE] = 'p';
    EXPECT(in_child(child_filemap), 1);                                   /* the child sees the parent's write */
    EXPECT(pread(fd, buf, 1, PAGE), 1);
    EXPECT(buf[0], 'g');                                                  /* and the file does not */
    close(fd);

    SAY("threads write while another thread forks\n");
    tmem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pthread_t th[2];
    EXPECT(pthread_create(&th[0], NULL, writer, tmem), 0);
    EXPECT(pthread_create(&th[1], NULL, writer, tmem + 8 * PAGE), 0);
    int good = 0;
    for (int i = 0; i < 20; i++) {
        if (in_child(child_of_threads) == 16) {
            good++;
        }
    }
    stop_threads = 1;
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    EXPECT(good, 20);
    FACT(thread_rounds > 0);

    SAY("a thread blocked in read(2) while another forks and writes the same page\n");
    EXPECT(pipe(rpipe), 0);
    pthread_t rd;
    EXPECT(pthread_create(&rd, NULL, blocked_reader, NULL), 0);
    usleep(100000); /* let it block (a read that has not started yet proves nothing, but passes too) */
    EXPECT(in_child(child_exits), 18);
    rbuf_page[8] = 'm';                                                   /* the same page, after fork */
    EXPECT(write(rpipe[1], "hello", 5), 5);
    void *got;
    EXPECT(pthread_join(rd, &got), 0);
    EXPECT((long) got, 5);
    EXPECT(memcmp(rbuf_page + 64, "hello", 5), 0);
    EXPECT(rbuf_page[8], 'm');

    SAY("many forks, each child writing\n");
    int ok = 0;
    for (int i = 0; i < 50; i++) {
        if (in_child(child_writes_all) == 7) {
            ok++;
        }
    }
    EXPECT(ok, 50);
    EXPECT(sum_pages(priv, NPAGES), 2L * NPAGES * 0x11);
    return guest_done();
}
