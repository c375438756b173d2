/* pthreads and futex(2): mutex and condvar contention, futex ops called directly, robust mutexes, exit. */
#include "guest.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#define THREADS 8
#define ROUNDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long total;
static int turn;

static void *adder(void *arg) {
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        total++;
        pthread_mutex_unlock(&lock);
    }
    return (void *) (intptr_t) gettid();
}

/* Threads take turns in index order, handing over through one condition variable. */
static void *taker(void *arg) {
    int me = (int) (intptr_t) arg;
    for (int r = 0; r < 50; r++) {
        pthread_mutex_lock(&lock);
        while (turn % THREADS != me) {
            pthread_cond_wait(&cond, &lock);
        }
        turn++;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts, uint32_t *uaddr2, uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static uint32_t word, word2;

static void *waiter(void *arg) {
    futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

static void *bit_waiter(void *arg) {
    futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, (uint32_t) (uintptr_t) arg);
    return NULL;
}

static void settle(void) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* Waits until n threads sleep on w: a requeue of w onto itself wakes nobody and counts its waiters. */
static void await_waiters(uint32_t *w, int n) {
    for (int i = 0; i < 500; i++) {
        if (futex(w, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *) 0x7fffffff, w, *w) >= n) {
            return;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void *exit_later(void *arg) {
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    if (arg != NULL) {
        exit(3); /* exit_group from the last thread */
    }
    pthread_exit(NULL); /* the last thread ends by itself: the process exits 0 */
}

static pthread_mutex_t robust;

static void *die_holding(void *arg) {
    pthread_mutex_lock(&robust);
    return NULL; /* exits owning the robust mutex */
}

static void *forever(void *arg) {
    uint32_t never = 0;
    futex(&never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    void *ret;

    /* 8 threads contending on one mutex. */
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&t[i], NULL, adder, NULL);
    }
    int distinct = 1;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], &ret);
        distinct &= (pid_t) (intptr_t) ret != getpid();
    }
    EXPECT(total, (long) THREADS * ROUNDS);
    FACT(distinct);

    /* 8 threads handing a turn around through a condvar. */
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&t[i], NULL, taker, (void *) (intptr_t) i);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    EXPECT(turn, THREADS * 50);

    /* futex directly. */
    word = 1;
    EXPECT_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
    struct timespec short_ts = {0, 20 * 1000 * 1000};
    EXPECT_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 1, &short_ts, NULL, 0), ETIMEDOUT);
    struct timespec bad_ts = {0, 2000000000};
    EXPECT_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 1, &bad_ts, NULL, 0), EINVAL);
    EXPECT_ERR(futex((uint32_t *) ((char *) &word + 1), FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(futex(BADPTR, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(futex((uint32_t *) 4, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EFAULT);
    EXPECT(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
    /* PI futexes are not implemented in the sandbox (ENOSYS); Linux refuses this one otherwise. */
    long pi = futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
    SAY("~futex(FUTEX_LOCK_PI) = %ld %s\n", pi, errname(errno));
    word = 1;
    EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(futex(&word, 99, 0, NULL, NULL, 0), ENOSYS);
    /* An absolute deadline already past. */
    struct timespec past = {1, 0};
    EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &past, NULL,
                     FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    EXPECT_ERR(futex(&word, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);

    /* WAKE counts. */
    word = 0;
    for (int i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, waiter, NULL);
    }
    await_waiters(&word, 3);
    EXPECT(futex(&word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0), 2);
    EXPECT(futex(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0), 1);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
    }

    /* REQUEUE: wake one, move the other two to word2, then wake them there. */
    for (int i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, waiter, NULL);
    }
    await_waiters(&word, 3);
    EXPECT_ERR(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *) 2, &word2, 7), EAGAIN);
    EXPECT(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *) 2, &word2, 0), 3);
    EXPECT(futex(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0), 0);
    EXPECT(futex(&word2, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0), 2);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
    }

    /* WAKE_OP: word2 += 1 (old 0), wake 1 on word, and on word2 if old == 0. */
    word2 = 0;
    pthread_create(&t[0], NULL, waiter, NULL);
    await_waiters(&word, 1);
    EXPECT(futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *) 1, &word2,
                 FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)), 1);
    EXPECT(word2, 1);
    pthread_join(t[0], NULL);
    EXPECT(futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *) 1, &word2,
                 FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_GT, 0)), 0);
    EXPECT(word2, 17);

    /* BITSET: a wake reaches only waiters whose bits overlap. */
    pthread_create(&t[0], NULL, bit_waiter, (void *) 1);
    pthread_create(&t[1], NULL, bit_waiter, (void *) 2);
    await_waiters(&word, 2);
    EXPECT(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 5, NULL, NULL, 2), 1);
    EXPECT(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 5, NULL, NULL, 2), 0);
    EXPECT(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 5, NULL, NULL, 1), 1);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);

    /* A shared futex across fork: keyed by the shared page. */
    uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *sh = 0;
    pid_t p = fork();
    if (p == 0) {
        while (*sh == 0) {
            futex(sh, FUTEX_WAIT, 0, NULL, NULL, 0);
        }
        _exit(*sh);
    }
    settle();
    *sh = 9;
    int woke = 0;
    for (int i = 0; i < 50 && woke == 0; i++) {
        woke = futex(sh, FUTEX_WAKE, 1, NULL, NULL, 0);
        if (woke == 0) {
            settle();
        }
    }
    int st;
    waitpid(p, &st, 0);
    EXPECT(WEXITSTATUS(st), 9);

    /* The main thread leaves first (pthread_exit); the process lives on until its last thread ends. */
    for (int how = 0; how < 2; how++) {
        p = fork();
        if (p == 0) {
            pthread_create(&t[0], NULL, exit_later, how ? (void *) 1 : NULL);
            pthread_exit(NULL);
        }
        waitpid(p, &st, 0);
        SAY("main thread gone first, %s: exited %d\n", how ? "exit(3)" : "pthread_exit", WEXITSTATUS(st));
    }

    /* A robust mutex whose owner died: the next locker gets EOWNERDEAD. */
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &ma);
    pthread_create(&t[0], NULL, die_holding, NULL);
    pthread_join(t[0], NULL);
    int r = pthread_mutex_lock(&robust);
    SAY("lock after owner death: %s\n", errname(r));
    EXPECT(pthread_mutex_consistent(&robust), 0);
    EXPECT(pthread_mutex_unlock(&robust), 0);
    void *head = NULL;
    size_t len = 0;
    EXPECT(syscall(SYS_get_robust_list, 0, &head, &len), 0); /* glibc registers one per thread */
    EXPECT(len, 24);
    FACT(head != NULL);
    EXPECT_ERR(syscall(SYS_get_robust_list, -1, &head, &len), ESRCH);
    EXPECT_ERR(syscall(SYS_get_robust_list, 0, BADPTR, &len), EFAULT);

    /* Exiting with a thread blocked in a futex wait forever: exit_group must end it. */
    pthread_create(&t[0], NULL, forever, NULL);
    settle();
    return guest_done();
}
