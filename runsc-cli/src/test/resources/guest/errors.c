/* Garbage arguments: huge and negative descriptors, huge and negative lengths, NULL, kernel and non-canonical
 * pointers, unaligned pointers, and syscall numbers nobody implements. The sandbox must give Linux's answer and
 * live to print the last line. */
#include "guest.h"

#include <asm/prctl.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#define KERNEL_PTR ((void *) 0xffff888000000000UL)
#define NONCANONICAL_PTR ((void *) 0x8000000000000000UL)

int main(void) {
    char buf[256];
    struct stat st;
    struct timespec ts;
    int null = EXPECT(open("/dev/null", O_RDWR), 3);
    int zero = EXPECT(open("/dev/zero", O_RDONLY), 4);

    /* descriptor arguments are 32-bit: the upper half of the register is ignored */
    EXPECT(syscall(SYS_read, 0x100000000L | zero, buf, 8), 8);
    EXPECT(syscall(SYS_fcntl, 0xffffffff00000000L | null, F_GETFD), 0);
    EXPECT(syscall(SYS_dup2, 0x500000000L | null, 0x700000000L | 10), 10);
    EXPECT(syscall(SYS_close, 0x100000000L | 10), 0);
    EXPECT_ERR(fcntl(10, F_GETFD), EBADF);

    /* huge and negative descriptors */
    EXPECT_ERR(syscall(SYS_read, INT_MAX, buf, 1), EBADF);
    EXPECT_ERR(syscall(SYS_write, -5, buf, 1), EBADF);
    EXPECT_ERR(syscall(SYS_pread64, INT_MIN, buf, 1, 0), EBADF);
    EXPECT_ERR(syscall(SYS_lseek, -100, 0, SEEK_SET), EBADF);    /* AT_FDCWD is no fd outside *at calls */
    EXPECT_ERR(syscall(SYS_close, -100), EBADF);
    EXPECT_ERR(syscall(SYS_fstat, INT_MAX, &st), EBADF);
    EXPECT_ERR(syscall(SYS_fcntl, INT_MAX, F_GETFL), EBADF);
    EXPECT_ERR(syscall(SYS_dup, INT_MAX), EBADF);
    EXPECT_ERR(syscall(SYS_dup2, 0, INT_MAX), EBADF);
    EXPECT_ERR(syscall(SYS_dup3, 0, -1, 0), EBADF);
    EXPECT_ERR(syscall(SYS_getdents64, INT_MAX, buf, sizeof buf), EBADF);
    EXPECT_ERR(syscall(SYS_fchdir, INT_MAX), EBADF);
    EXPECT_ERR(syscall(SYS_ioctl, INT_MAX, 0x5401, buf), EBADF);
    EXPECT_ERR(syscall(SYS_openat, INT_MAX, "x", O_RDONLY), EBADF);
    EXPECT(syscall(SYS_openat, INT_MAX, "/", O_RDONLY), 5);     /* absolute: the dirfd is never looked at */
    EXPECT(close(5), 0);
    EXPECT_ERR(syscall(SYS_newfstatat, INT_MAX, "x", &st, 0), EBADF);
    EXPECT_ERR(syscall(SYS_faccessat, INT_MAX, "x", F_OK), EBADF);
    EXPECT_ERR(syscall(SYS_readlinkat, INT_MAX, "x", buf, sizeof buf), EBADF);
    EXPECT_ERR(syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, INT_MAX, 0), EBADF);

    /* NULL pointers */
    EXPECT_ERR(read(zero, NULL, 1), EFAULT);
    EXPECT_ERR(write(1, NULL, 1), EFAULT);
    EXPECT_ERR(readv(zero, NULL, 1), EFAULT);
    EXPECT_ERR(writev(1, NULL, 1), EFAULT);
    EXPECT_ERR(pread64(zero, NULL, 1, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_open, NULL, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_stat, NULL, &st), EFAULT);
    EXPECT_ERR(syscall(SYS_stat, "/", NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_lstat, NULL, &st), EFAULT);
    EXPECT_ERR(syscall(SYS_fstat, null, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, NULL, &st, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "/", 0, 0x7ff, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_access, NULL, F_OK), EFAULT);
    EXPECT_ERR(syscall(SYS_faccessat, AT_FDCWD, NULL, F_OK), EFAULT);
    EXPECT_ERR(syscall(SYS_readlink, NULL, buf, sizeof buf), EFAULT);
    EXPECT_ERR(syscall(SYS_readlink, "/proc/self/exe", NULL, sizeof buf), EFAULT);
    int root = EXPECT(open("/", O_RDONLY | O_DIRECTORY), 5);
    EXPECT_ERR(syscall(SYS_getdents64, root, NULL, sizeof buf), EFAULT);
    EXPECT(close(root), 0);
    EXPECT_ERR(syscall(SYS_getcwd, NULL, sizeof buf), EFAULT);
    EXPECT_ERR(syscall(SYS_chdir, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_uname, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_sysinfo, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_getresuid, NULL, NULL, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, 128, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_getrandom, NULL, 1, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_REALTIME, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, NULL, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_nanosleep, NULL, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, NULL), EFAULT);
    EXPECT(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 8), 0);
    EXPECT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 8), 0);
    EXPECT(syscall(SYS_gettimeofday, NULL, NULL), 0);
    EXPECT(syscall(SYS_clock_getres, CLOCK_REALTIME, NULL), 0);
    FACT(syscall(SYS_time, NULL) > 0);
    FACT(syscall(SYS_set_tid_address, NULL) == gettid());

    /* kernel-half and non-canonical pointers */
    EXPECT_ERR(read(zero, KERNEL_PTR, 8), EFAULT);
    EXPECT_ERR(write(null, KERNEL_PTR, 8), EFAULT);             /* /dev/null or not, access_ok() comes first */
    EXPECT_ERR(read(zero, NONCANONICAL_PTR, 8), EFAULT);
    EXPECT_ERR(syscall(SYS_open, KERNEL_PTR, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_stat, "/", KERNEL_PTR), EFAULT);
    EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NONCANONICAL_PTR), EFAULT);
    EXPECT_ERR(syscall(SYS_uname, KERNEL_PTR), EFAULT);
    EXPECT_ERR(syscall(SYS_rt_sigaction, SIGUSR1, KERNEL_PTR, NULL, 8), EFAULT);
    EXPECT_ERR(syscall(SYS_munmap, KERNEL_PTR, 4096), EINVAL);
    EXPECT_ERR(syscall(SYS_mprotect, KERNEL_PTR, 4096, PROT_READ), ENOMEM);
    EXPECT_ERR(syscall(SYS_madvise, KERNEL_PTR, 4096, MADV_DONTNEED), ENOMEM);
    EXPECT_ERR(syscall(SYS_mmap, KERNEL_PTR, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
               ENOMEM);
    EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_SET_GS, KERNEL_PTR), EPERM);

    /* unaligned pointers work: the kernel copies bytes */
    char raw[512] __attribute__((aligned(16)));
    EXPECT(syscall(SYS_stat, "/", raw + 3), 0);
    EXPECT(syscall(SYS_clock_gettime, CLOCK_REALTIME, raw + 1), 0);
    EXPECT(syscall(SYS_getresuid, raw + 1, raw + 7, raw + 13), 0);
    EXPECT(syscall(SYS_uname, raw + 5), 0);
    FACT(memcmp(raw + 5, "Linux", 6) == 0);
    unsigned long mask = 0;
    EXPECT(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, 8), 0);
    EXPECT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, raw + 3, 8), 0);
    memcpy(&mask, raw + 3, 8);
    EXPECT_HEX(mask, 0);
    struct iovec iov[2];
    memcpy(raw + 1, &(struct iovec) {buf, 4}, sizeof iov[0]);
    EXPECT(syscall(SYS_readv, zero, raw + 1, 1), 4);           /* even the iovec array may be unaligned */

    /* huge and negative lengths and counts */
    EXPECT_ERR(read(zero, buf, (size_t) -1), EFAULT);
    EXPECT_ERR(syscall(SYS_readv, zero, iov, -5), EINVAL);
    EXPECT(syscall(SYS_readv, zero, iov, 1L << 32), 0);         /* the count is truncated to 32 bits: 0 */
    EXPECT(syscall(SYS_readv, zero, iov, 0), 0);
    EXPECT_OK(syscall(SYS_getcwd, buf, (size_t) -1));           /* a huge size is fine when the path fits */
    EXPECT_ERR(syscall(SYS_readlink, "/proc/self/exe", buf, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_readlink, "/proc/self/exe", buf, 1L << 32), EINVAL);   /* bufsiz is an int: 0 */
    EXPECT_ERR(syscall(SYS_getdents64, zero, buf, (size_t) -1), ENOTDIR);
    EXPECT_ERR(syscall(SYS_mmap, 0, -1L, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    EXPECT_ERR(syscall(SYS_munmap, 0x10000, -1L), EINVAL);
    EXPECT_ERR(syscall(SYS_mprotect, 0x10000, -1L, PROT_READ), ENOMEM);
    EXPECT_ERR(syscall(SYS_madvise, 0x10000, -1L, MADV_NORMAL), EINVAL);
    EXPECT_ERR(syscall(SYS_mremap, 0x10000, 4096, -1L, MREMAP_MAYMOVE), EINVAL);
    /* getrandom copies until the first fault and reports what it copied */
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT(mprotect(page + 4096, 4096, PROT_NONE), 0);
    EXPECT(syscall(SYS_getrandom, page, (size_t) -1, 0), 4096);
    EXPECT(syscall(SYS_getrandom, page + 4000, 200, 0), 96);
    EXPECT_ERR(syscall(SYS_getrandom, page + 4096, 200, 0), EFAULT);
    EXPECT(munmap(page, 8192), 0);
    EXPECT_ERR(syscall(SYS_getgroups, -1, buf), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, -1, buf), EINVAL);
    EXPECT_ERR(syscall(SYS_lseek, zero, 0, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, -1L), EINVAL);
    EXPECT(syscall(SYS_rt_sigaction, 1L << 32 | SIGUSR1, NULL, buf, 8), 0);      /* sig is an int too */
    EXPECT_ERR(syscall(SYS_clock_gettime, -1L, &ts), EINVAL);
    EXPECT(syscall(SYS_clock_gettime, 1L << 32 | CLOCK_MONOTONIC, &ts), 0);     /* clockid_t is an int */

    /* numbers with no syscall behind them */
    /* 403-423 are the 32-bit time64 calls, never given numbers on x86-64. (335 is no longer free: Linux 6.11
     * made it uretprobe, which raises SIGILL outside a uprobe trampoline.) */
    EXPECT_ERR(syscall(403), ENOSYS);
    EXPECT_ERR(syscall(423), ENOSYS);
    EXPECT_ERR(syscall(1000), ENOSYS);
    EXPECT_ERR(syscall(100000, 1, 2, 3, 4, 5, 6), ENOSYS);
    EXPECT_ERR(syscall(-1L), ENOSYS);
    EXPECT_ERR(syscall(0x7fffffffL), ENOSYS);

    EXPECT(close(zero), 0);
    EXPECT(close(null), 0);
    SAY("errors: survived\n");
    return guest_done();
}
