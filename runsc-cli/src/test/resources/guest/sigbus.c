/* A file mapping past the file's end: the partial last page reads zeros after EOF, and an access to a page wholly
 * past EOF raises SIGBUS with si_code BUS_ADRERR and si_addr the faulting address (read or write, private or
 * shared). The kernel's own accesses there (write(2) from such a page) fail with EFAULT. Growing the mapping
 * with mremap keeps the rule; a forked child sees the same. */
#include "guest.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    (void) ctx;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    siglongjmp(env, 1);
}

/* Touches p (reading, or writing when write is set); returns the signal it raised, or 0. */
static int touch(volatile char *p, int write) {
    got_sig = 0;
    got_addr = NULL;
    got_code = 0;
    if (sigsetjmp(env, 1) == 0) {
        if (write) {
            *p = 1;
        } else {
            (void) *p;
        }
    }
    return got_sig;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);

    int fd = open("short", O_RDWR | O_CREAT | O_TRUNC, 0600);
    char buf[PAGE + 100];
    memset(buf, 'x', sizeof buf);
    EXPECT(write(fd, buf, sizeof buf), PAGE + 100);

    char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    EXPECT(p != MAP_FAILED, 1);
    EXPECT(p[0], 'x');
    EXPECT(p[PAGE + 99], 'x');
    EXPECT(p[PAGE + 100], 0);                                            /* the partial page's tail */
    EXPECT(p[2 * PAGE - 1], 0);
    EXPECT(touch(p + PAGE + 200, 1), 0);                                  /* and it is writable */

    EXPECT(touch(p + 2 * PAGE, 0), SIGBUS);
    EXPECT(got_code, BUS_ADRERR);
    FACT(got_addr == p + 2 * PAGE);
    EXPECT(touch(p + 3 * PAGE + 123, 1), SIGBUS);
    EXPECT(got_code, BUS_ADRERR);
    FACT(got_addr == p + 3 * PAGE + 123);

    /* the kernel's copies from such a page fail */
    int pfd[2];
    EXPECT(pipe(pfd), 0);
    EXPECT_ERR(write(pfd[1], p + 2 * PAGE, 10), EFAULT);
    EXPECT(write(pfd[1], p + PAGE, 10), 10);

    /* a shared mapping, read-only */
    char *s = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    EXPECT(s[PAGE], 'x');
    EXPECT(touch(s + 2 * PAGE + 8, 0), SIGBUS);
    EXPECT(got_code, BUS_ADRERR);
    FACT(got_addr == s + 2 * PAGE + 8);

    /* PROT_NONE past EOF is a SIGSEGV: protection is checked first */
    EXPECT(mprotect(p + 2 * PAGE, PAGE, PROT_NONE), 0);
    EXPECT(touch(p + 2 * PAGE, 0), SIGSEGV);
    EXPECT(got_code, SEGV_ACCERR);

    /* mremap growth stays past EOF */
    char *q = mremap(s, 3 * PAGE, 5 * PAGE, MREMAP_MAYMOVE);
    EXPECT(q != MAP_FAILED, 1);
    EXPECT(q[0], 'x');
    EXPECT(touch(q + 4 * PAGE, 0), SIGBUS);
    FACT(got_addr == q + 4 * PAGE);

    /* a forked child faults the same way */
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        _exit(touch(p + 3 * PAGE, 0) == SIGBUS && got_addr == p + 3 * PAGE && p[PAGE] == 'x' ? 5 : 1);
    }
    int st;
    EXPECT(waitpid(c, &st, 0) == c && WIFEXITED(st) ? WEXITSTATUS(st) : -1, 5);

    /* mapping at an offset wholly past EOF */
    char *far = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 4 * PAGE);
    EXPECT(far != MAP_FAILED, 1);
    EXPECT(touch(far, 0), SIGBUS);

    /* without a handler, SIGBUS kills */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        signal(SIGBUS, SIG_DFL);
        (void) *(volatile char *) (p + 3 * PAGE);
        _exit(0);
    }
    EXPECT(waitpid(c, &st, 0) == c && WIFSIGNALED(st) ? WTERMSIG(st) : -1, SIGBUS);
    return guest_done();
}
