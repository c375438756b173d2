/* The command name (comm): what execve, execveat and prctl(PR_SET_NAME) make of it, as /proc/self/comm, the
 * stat name and PR_GET_NAME show it. Linux 6.14+ names an fexecve'd process after the file's dentry. */
#include "guest.h"
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

extern char **environ;

/* Prints the three views of the name, which must agree. */
static void show(const char *tag) {
    char comm[64] = {0}, stat[512] = {0}, name[17] = {0};
    int fd = open("/proc/self/comm", O_RDONLY);
    if (fd < 0 || read(fd, comm, sizeof comm - 1) <= 0) exit(2);
    close(fd);
    fd = open("/proc/self/stat", O_RDONLY);
    if (fd < 0 || read(fd, stat, sizeof stat - 1) <= 0) exit(2);
    close(fd);
    char *open_paren = strchr(stat, '('), *close_paren = strrchr(stat, ')');
    if (!open_paren || !close_paren) exit(2);
    *close_paren = 0;
    prctl(PR_GET_NAME, name);
    comm[strcspn(comm, "\n")] = 0;
    SAY("%s: comm=%s stat=%s get_name=%s\n", tag, comm, open_paren + 1, name);
}

/* Runs fn in a child and waits for it, so the children's lines come in order. */
static void in_child(void (*fn)(void)) {
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        fn();
        _exit(3);
    }
    int st;
    waitpid(p, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) SAY("child status %#x\n", st);
}

static void exec_proc_self_exe(void) {
    char *argv[] = {"x", "execve /proc/self/exe", NULL};
    execve("/proc/self/exe", argv, environ);
}

static void exec_empty_path(void) {
    char *argv[] = {"x", "execveat AT_EMPTY_PATH", NULL};
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
}

static void exec_dev_fd(void) {
    char *argv[] = {"x", "execve /dev/fd/N", NULL}, path[64];
    int fd = open("/proc/self/exe", O_RDONLY);
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    execve(path, argv, environ);
}

static void exec_relative_at(void) {
    char *argv[] = {"x", "execveat dirfd+name", NULL};
    int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
    syscall(SYS_execveat, dir, "exe", argv, environ, 0);
}

static void fork_only(void) {
    show("forked child");
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        show(argv[1]);
        return 0;
    }
    show("start");
    in_child(fork_only);
    in_child(exec_proc_self_exe);
    in_child(exec_empty_path);
    in_child(exec_dev_fd);
    in_child(exec_relative_at);

    EXPECT(prctl(PR_SET_NAME, "renamed"), 0);
    show("PR_SET_NAME");
    EXPECT(prctl(PR_SET_NAME, "a-name-longer-than-fifteen-bytes"), 0);
    show("PR_SET_NAME long");
    EXPECT(prctl(PR_SET_NAME, ""), 0);
    show("PR_SET_NAME empty");
    EXPECT_ERR(prctl(PR_SET_NAME, (char *) 1), EFAULT);
    EXPECT_ERR(prctl(PR_GET_NAME, (char *) 1), EFAULT);
    return guest_done();
}
