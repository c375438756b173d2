/*
 * A bounded fork bomb: forks children that wait on a pipe until fork fails (at most 10,000 times), then lets
 * them all exit, reaps them and reports. Under a pids limit of N it forks N-1 children and fork fails with
 * EAGAIN. Exits 3, so the caller sees the workload's status come back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int gate[2];
    if (pipe(gate) != 0) {
        perror("pipe");
        return 1;
    }
    int forked = 0, err = 0;
    while (forked < 10000) {
        pid_t pid = fork();
        if (pid < 0) {
            err = errno;
            break;
        }
        if (pid == 0) {
            char c;
            close(gate[1]);
            while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
            }
            _exit(0);
        }
        forked++;
    }
    close(gate[1]); // every child's read now sees EOF
    int reaped = 0, status;
    while (wait(&status) > 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            reaped++;
        }
    }
    printf("forked %d, then fork failed: %s\n", forked, err == EAGAIN ? "EAGAIN" : strerror(err));
    printf("reaped %d, wait then failed: %s\n", reaped, errno == ECHILD ? "ECHILD" : strerror(errno));
    pid_t again = fork(); // the cap counts live tasks only: with the children gone, fork works again
    if (again == 0) {
        _exit(0);
    }
    printf("fork after reaping: %s\n", again > 0 && waitpid(again, &status, 0) == again ? "ok" : strerror(errno));
    return 3;
}
