/* A syscall number Linux leaves unassigned returns ENOSYS, every time; the sandbox answers the same and logs
 * the number once (DoIntegrationTest checks the log). */
#include "guest.h"

int main(void) {
    EXPECT_ERR(syscall(420), ENOSYS);
    EXPECT_ERR(syscall(420), ENOSYS);
    EXPECT_ERR(syscall(420, 1, 2, 3), ENOSYS);
    return 0;
}
