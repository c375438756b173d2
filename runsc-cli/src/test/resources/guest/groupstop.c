/* Group stop: a stopped multi-threaded child is reported to its parent (waitpid WUNTRACED) only once every
 * thread has stopped, as Linux does. 1: three threads of the child spin in user mode, counting in shared memory;
 * once the parent hears of the stop, the counts must no longer move. 2: one thread of the child is in vfork(),
 * whose wait a stop signal does not interrupt (only a fatal one); the stop is reported only after the vfork
 * child has exited and that thread has stopped too. */
#include "guest.h"
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#define SPINNERS 3

static volatile unsigned long *counts;

static void *spin(void *arg) {
    volatile unsigned long *mine = &counts[(long) arg];
    for (;;) (*mine)++;
    return NULL;
}

static unsigned long total(void) {
    unsigned long n = 0;
    for (int i = 0; i < SPINNERS; i++) n += counts[i];
    return n;
}

static int all_counting(void) {
    for (int i = 0; i < SPINNERS; i++)
        if (counts[i] == 0) return 0;
    return 1;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int vfork_gate[2], vfork_started[2];

static void *vforker(void *arg) {
    (void) arg;
    pid_t v = vfork();
    if (v == 0) {
        char ch;
        write(vfork_started[1], "v", 1);
        read(vfork_gate[0], &ch, 1); /* the vfork child waits for the grandparent's word */
        _exit(0);
    }
    for (;;) pause();
    return NULL;
}

/* Scenario 2 (see the top). */
static void stop_during_vfork(void) {
    if (pipe(vfork_gate) != 0 || pipe(vfork_started) != 0) exit(2);
    pid_t c = fork();
    if (c == 0) {
        pthread_t th;
        pthread_create(&th, NULL, vforker, NULL);
        for (;;) pause();
    }
    char ch;
    read(vfork_started[0], &ch, 1);
    kill(c, SIGSTOP);
    sleep_ms(200);
    int st;
    EXPECTL("a thread still in vfork: no stop reported yet", waitpid(c, &st, WUNTRACED | WNOHANG), 0);
    write(vfork_gate[1], "g", 1); /* the vfork child exits; the thread returns and stops */
    FACT(waitpid(c, &st, WUNTRACED) == c);
    EXPECT(WIFSTOPPED(st), 1);
    EXPECT(WSTOPSIG(st), SIGSTOP);
    kill(c, SIGKILL);
    FACT(waitpid(c, &st, 0) == c);
    EXPECT(WTERMSIG(st), SIGKILL);
}

int main(void) {
    counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counts == MAP_FAILED) return 2;
    pid_t c = fork();
    if (c == 0) {
        pthread_t th;
        for (long i = 0; i < SPINNERS; i++) pthread_create(&th, NULL, spin, (void *) i);
        for (;;) pause();
    }
    for (int i = 0; i < 2000 && !all_counting(); i++) sleep_ms(10);
    FACT(all_counting());

    for (int round = 0; round < 3; round++) {
        kill(c, SIGSTOP);
        int st;
        FACT(waitpid(c, &st, WUNTRACED) == c);
        EXPECT(WIFSTOPPED(st), 1);
        unsigned long before = total();
        sleep_ms(50);
        SAY("round %d: every thread had stopped when the stop was reported: %d\n", round, total() == before);
        kill(c, SIGCONT);
        FACT(waitpid(c, &st, WCONTINUED) == c);
        EXPECT(WIFCONTINUED(st), 1);
        before = total();
        for (int i = 0; i < 2000 && total() == before; i++) sleep_ms(10);
        SAY("round %d: counting again after SIGCONT: %d\n", round, total() != before);
    }
    kill(c, SIGKILL);
    int st;
    FACT(waitpid(c, &st, 0) == c);
    EXPECT(WTERMSIG(st), SIGKILL);

    stop_during_vfork();
    return guest_done();
}
