/* clone(2) and clone3(2): flag combinations, what the child shares, and the EINVAL rules. */
#include "guest.h"
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#define STACK_SIZE (256 * 1024)

static volatile int counter;
static int fd_to_close = -1;
static pid_t child_tid_word, parent_tid_word;

static int child_bump(void *arg) {
    counter += 1;
    return 7;
}

static int child_close(void *arg) {
    close(fd_to_close);
    return 0;
}

static int child_chdir(void *arg) {
    return chdir("/") == 0 ? 0 : 1;
}

static int child_report(void *arg) {
    /* getppid of a CLONE_PARENT child is its creator's parent. */
    return getppid() == *(pid_t *) arg ? 0 : 1;
}

static char *new_stack(void) {
    char *s = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return s + STACK_SIZE;
}

static long raw_clone(unsigned long flags, void *stack, int *ptid, int *ctid, unsigned long tls) {
    return syscall(SYS_clone, flags, stack, ptid, ctid, tls);
}

static void show(const char *what, int st) {
    if (WIFEXITED(st)) {
        SAY("%s: exited %d\n", what, WEXITSTATUS(st));
    } else {
        SAY("%s: status %#x\n", what, st);
    }
}

int main(void) {
    int st;

    /* Plain fork-like clone: memory is copied. */
    counter = 0;
    pid_t p = clone(child_bump, new_stack(), SIGCHLD, NULL);
    FACT(p > 0);
    waitpid(p, &st, 0);
    show("copied vm", st);
    EXPECT(counter, 0);

    /* CLONE_VM: the child's write is ours too. */
    p = clone(child_bump, new_stack(), CLONE_VM | SIGCHLD, NULL);
    waitpid(p, &st, 0);
    show("shared vm", st);
    EXPECT(counter, 1);

    /* CLONE_VM | CLONE_VFORK: we resume only after the child is gone. */
    p = clone(child_bump, new_stack(), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    EXPECT(counter, 2);
    waitpid(p, &st, 0);

    /* CLONE_FILES shares the table: the child's close is seen here. */
    fd_to_close = open("/dev/null", O_RDONLY);
    p = clone(child_close, new_stack(), CLONE_VM | CLONE_FILES | SIGCHLD, NULL);
    waitpid(p, &st, 0);
    EXPECT_ERR(fcntl(fd_to_close, F_GETFD), EBADF);
    /* Without it, the child closes its own copy. */
    fd_to_close = open("/dev/null", O_RDONLY);
    p = clone(child_close, new_stack(), CLONE_VM | SIGCHLD, NULL);
    waitpid(p, &st, 0);
    EXPECT(fcntl(fd_to_close, F_GETFD), 0);
    close(fd_to_close);

    /* CLONE_FS shares the cwd. */
    char cwd[4096];
    int here = open(".", O_RDONLY | O_DIRECTORY);
    p = clone(child_chdir, new_stack(), CLONE_VM | CLONE_FS | SIGCHLD, NULL);
    waitpid(p, &st, 0);
    show("chdir with CLONE_FS", st);
    EXPECT(strcmp(getcwd(cwd, sizeof cwd), "/"), 0);
    EXPECT(fchdir(here), 0);
    p = clone(child_chdir, new_stack(), CLONE_VM | SIGCHLD, NULL);
    waitpid(p, &st, 0);
    show("chdir without CLONE_FS", st);
    FACT(strcmp(getcwd(cwd, sizeof cwd), "/") != 0);
    close(here);

    /* CLONE_PARENT_SETTID, CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID. */
    p = clone(child_bump, new_stack(), CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID
            | SIGCHLD, NULL, &parent_tid_word, NULL, &child_tid_word);
    waitpid(p, &st, 0);
    FACT(parent_tid_word == p);
    EXPECT(child_tid_word, 0); /* set to the tid, then cleared at exit since the memory is shared */
    parent_tid_word = child_tid_word = 0;
    p = clone(child_bump, new_stack(), CLONE_CHILD_SETTID | SIGCHLD, NULL, NULL, NULL, &child_tid_word);
    waitpid(p, &st, 0);
    EXPECT(child_tid_word, 0); /* set in the child's copy only */

    /* A child with no exit signal is a "clone" child: only __WCLONE or __WALL wait for it. */
    p = clone(child_bump, new_stack(), CLONE_VM, NULL);
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    EXPECT_ERR(waitpid(p, &st, WNOHANG), ECHILD);
    EXPECT(waitpid(p, &st, __WCLONE) == p, 1);
    show("clone child", st);
    p = clone(child_bump, new_stack(), CLONE_VM | SIGCHLD, NULL);
    EXPECT_ERR(waitpid(p, &st, __WCLONE), ECHILD);
    EXPECT(waitpid(p, &st, __WALL) == p, 1);

    /* CLONE_PARENT from a child: the grandchild is our sibling... of our child, i.e. our child. */
    p = fork();
    if (p == 0) {
        pid_t parent = getppid();
        pid_t g = clone(child_report, new_stack(), CLONE_PARENT, &parent);
        /* Not our child: */
        _exit(waitpid(g, &st, __WALL) == -1 && errno == ECHILD ? 0 : 1);
    }
    waitpid(p, &st, 0);
    show("CLONE_PARENT creator", st);
    EXPECT(waitpid(-1, &st, __WALL) > 0, 1);
    show("CLONE_PARENT child", st);

    /* The EINVAL rules of clone(2). */
    EXPECT_ERR(raw_clone(CLONE_THREAD | CLONE_VM, NULL, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(raw_clone(CLONE_SIGHAND, NULL, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(raw_clone(CLONE_THREAD, NULL, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(raw_clone(CLONE_NEWNS | CLONE_FS, NULL, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(raw_clone(CLONE_NEWUSER | CLONE_FS, NULL, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(raw_clone(CLONE_PIDFD | CLONE_DETACHED, NULL, NULL, NULL, 0), EINVAL);

    /* clone3: argument-size rules, and a plain fork. */
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = SIGCHLD;
    EXPECT_ERR(syscall(SYS_clone3, &ca, 8), EINVAL);
    EXPECT_ERR(syscall(SYS_clone3, &ca, 8192), E2BIG);
    EXPECT_ERR(syscall(SYS_clone3, BADPTR, sizeof ca), EFAULT);
    ca.exit_signal = 1000;
    EXPECT_ERR(syscall(SYS_clone3, &ca, sizeof ca), EINVAL);
    ca.exit_signal = SIGCHLD;
    ca.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    EXPECT_ERR(syscall(SYS_clone3, &ca, sizeof ca), EINVAL); /* threads have no exit signal */
    ca.flags = 0;
    ca.stack = 0x1000;
    EXPECT_ERR(syscall(SYS_clone3, &ca, sizeof ca), EINVAL); /* a stack without a size */
    ca.stack = 0;
    ca.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND;
    EXPECT_ERR(syscall(SYS_clone3, &ca, sizeof ca), EINVAL);
    ca.flags = 0;
    long r = syscall(SYS_clone3, &ca, sizeof ca);
    if (r == 0) {
        _exit(33);
    }
    FACT(r > 0);
    waitpid(r, &st, 0);
    show("clone3 fork", st);
    return guest_done();
}
