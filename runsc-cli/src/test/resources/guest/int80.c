/* The one deliberate difference from Linux: a 64-bit process entering the kernel through int $0x80 gets the
 * 32-bit syscall table on Linux (with IA32 emulation), but -ENOSYS from the sandbox, which emulates only the
 * 64-bit ABI. The sandbox's stdout must equal int80.sandbox.out; the native run is not compared. */
// guest-sandbox-stdout: int80.sandbox.out
#include "guest.h"

/** A 32-bit syscall through int $0x80; the kernel zeroes r8-r11 on the way out. */
static long int80(long nr) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory", "r8", "r9", "r10", "r11");
    return r;
}

static void show(const char *label, long r) {
    if (r == getpid()) {
        printf("%s: the pid\n", label);
    } else if (r < 0 && r > -4096) {
        printf("%s: -%s\n", label, errname((int) -r));
    } else {
        printf("%s: something else\n", label);
    }
}

int main(void) {
    show("int $0x80 nr 20 (i386 getpid)", int80(20));
    show("int $0x80 nr 9999", int80(9999));
    show("syscall getpid afterwards", syscall(SYS_getpid));
    SAY("int80: survived\n");
    return 0;
}
