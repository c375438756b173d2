/* A write to a pipe with no reader, with SIGPIPE at its default action: the process dies by SIGPIPE. */
// guest-exit: 141
#include "guest.h"

int main(void) {
    int p[2];
    EXPECT(pipe(p), 0);
    EXPECT(close(p[0]), 0);
    SAY("writing to a pipe without readers\n");
    write(p[1], "x", 1);
    SAY("not reached\n");
    return guest_done();
}
