/* alarm(2) at its default action ends a process blocked reading an empty pipe: the blocking read waits only the
 * task, and the timer's SIGALRM interrupts it. */
// guest-exit: 142
#include "guest.h"

int main(void) {
    int p[2];
    char c;
    EXPECT(pipe(p), 0);
    EXPECT(alarm(1), 0);
    SAY("reading an empty pipe\n");
    read(p[0], &c, 1);
    SAY("not reached\n");
    return guest_done();
}
