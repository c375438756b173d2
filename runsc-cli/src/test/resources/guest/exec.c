/* execve: vfork+exec, a storm of them, #! scripts, errors, close-on-exec. */
// guest-tree: notexec
#include "guest.h"
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <sys/wait.h>

static char self[4096];

static int run(char *const argv[]) {
    pid_t p = vfork();
    if (p == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void *sleep_forever(void *arg) {
    for (;;) {
        pause();
    }
    return NULL;
}

static void *exec_from_thread(void *arg) {
    char *a[] = {self, "child", NULL};
    execv(self, a);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        /* The exec'd image: report what it inherited. */
        int fd = argc > 2 ? atoi(argv[2]) : -1;
        printf("child: argc %d, fd %s, tid == pid %d\n", argc,
               fd < 0 ? "none" : fcntl(fd, F_GETFD) == -1 ? "closed" : "open", gettid() == getpid());
        return 5;
    }
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        printf("no /proc/self/exe\n");
        return 1;
    }
    self[n] = 0;

    char *args[] = {self, "child", NULL};
    EXPECT(run(args), 5);

    /* Close-on-exec: one fd survives, the other does not. */
    int keep = open("/dev/null", O_RDONLY);
    int drop = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char kbuf[16], dbuf[16];
    snprintf(kbuf, sizeof kbuf, "%d", keep);
    snprintf(dbuf, sizeof dbuf, "%d", drop);
    char *a1[] = {self, "child", kbuf, NULL};
    char *a2[] = {self, "child", dbuf, NULL};
    EXPECT(run(a1), 5);
    EXPECT(run(a2), 5);

    /* A storm: 200 vfork+exec+wait. */
    int ok = 0;
    char *quiet[] = {"/bin/busybox", "true", NULL};
    for (int i = 0; i < 200; i++) {
        ok += run(quiet) == 0;
    }
    EXPECT(ok, 200);

    /* execve from a thread that is not the leader: the other threads go, and it takes over the PID. */
    pid_t p = fork();
    if (p == 0) {
        pthread_t th, sleeper;
        pthread_create(&sleeper, NULL, sleep_forever, NULL);
        pthread_create(&th, NULL, exec_from_thread, NULL);
        pthread_join(th, NULL);
        _exit(99);
    }
    int st;
    EXPECT(waitpid(p, &st, 0) == p, 1);
    EXPECT(WEXITSTATUS(st), 5);

    /* A #! script, with an interpreter argument. */
    int s = open("script", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    const char *text = "#!/bin/busybox sh\necho script says $0 $1\nexit 4\n";
    EXPECT(write(s, text, strlen(text)), (long) strlen(text));
    close(s);
    char *sa[] = {"./script", "hello", NULL};
    EXPECT(run(sa), 4);

    /* Errors: nothing there, no execute permission, not an executable format. */
    char *env[] = {NULL};
    char *none[] = {"x", NULL};
    EXPECT_ERR(execve("./missing", none, env), ENOENT);
    EXPECT_ERR(execve("./notexec", none, env), EACCES);
    int g = open("garbage", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    write(g, "\177ELFgarbage-that-is-no-elf", 27);
    close(g);
    EXPECT_ERR(execve("./garbage", none, env), ENOEXEC);
    EXPECT_ERR(execve(".", none, env), EACCES);
    EXPECT_ERR(execve(BADPTR, none, env), EFAULT);
    EXPECT_ERR(execve(self, BADPTR, env), EFAULT);
    EXPECT_ERR(syscall(SYS_execveat, AT_FDCWD, self, none, env, 0x1), EINVAL);
    /* An empty script line is no interpreter. */
    s = open("empty-shebang", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    write(s, "#!\n", 3);
    close(s);
    EXPECT_ERR(execve("./empty-shebang", none, env), ENOEXEC);
    return guest_done();
}
