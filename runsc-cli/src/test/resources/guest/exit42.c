/* exit_group(2) carries the status to the parent; stderr is compared as well as stdout. */
// guest-exit: 42
#include "guest.h"

int main(void) {
    SAY("exit42: to stdout\n");
    fprintf(stderr, "exit42: to stderr\n");
    syscall(SYS_exit_group, 42);
    SAY("exit42: after exit_group (never printed)\n");
    return 0;
}
