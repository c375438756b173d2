/* rt_sigreturn with a forged frame: garbage segment selectors and RIP. Linux kills the process with SIGSEGV;
 * the sandbox must do the same and survive. */
// guest-exit: 139
#include "guest.h"

#include <signal.h>

int main(void) {
    static unsigned long frame[256] __attribute__((aligned(64)));
    memset(frame, 0x41, sizeof frame);
    SAY("sigreturn with a forged frame\n");
    fflush(stdout);
    /* RSP points 8 bytes past the frame's start, as after the restorer's return */
    __asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall" ::"r"(&frame[1]) : "memory");
    SAY("not reached\n");
    return guest_done();
}
