/* openat/close, the stat family, access, readlink, getdents64, the cwd, dup*, fcntl, ioctl and umask. */
// guest-tree: list/ list/alpha list/beta list/gamma/
#include "guest.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/stat.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

static const char *type_name(mode_t m) {
    return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISCHR(m) ? "chr" : "other";
}

static void show_stat(const char *label, const struct stat *st) {
    printf("%s: type=%s mode=%04o", label, type_name(st->st_mode), st->st_mode & 07777);
    if (S_ISREG(st->st_mode)) {
        printf(" size=%ld nlink=%lu", (long) st->st_size, (unsigned long) st->st_nlink);
    }
    printf("\n");
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/** Lists a directory with raw getdents64, sorted by name, with each entry's d_type. */
static void list_dir(const char *path) {
    int fd = CHECK(open(path, O_RDONLY | O_DIRECTORY));
    char buf[4096];
    static char names[64][300];
    char *sorted[64];
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) {
            printf("getdents64(%s) ended with %s\n", path, n == 0 ? "0" : errname(errno));
            break;
        }
        for (long off = 0; off < n;) {
            struct { unsigned long ino; long off; unsigned short reclen; unsigned char type; char name[]; } *d =
                    (void *) (buf + off);
            const char *t = d->type == 4 ? "dir" : d->type == 8 ? "reg" : d->type == 10 ? "lnk" : "?";
            if (count < 64) {
                snprintf(names[count], sizeof names[count], "%s(%s)", d->name, t);
                sorted[count] = names[count];
                count++;
            }
            off += d->reclen;
        }
    }
    qsort(sorted, count, sizeof sorted[0], by_name);
    printf("getdents64(%s):", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", sorted[i]);
    }
    printf("\n");
    EXPECT(close(fd), 0);
}

int main(int argc, char **argv) {
    (void) argc;
    char buf[PATH_MAX + 2];
    struct stat st;

    /* umask: the previous value comes back; the inherited one is the caller's, so it is not printed */
    umask(022);
    EXPECT_OCT(umask(027), 022);
    EXPECT_OCT(umask(022), 027);
    EXPECT_OCT(umask(0777 | 0170000), 022);    /* only the permission bits are kept */
    EXPECT_OCT(umask(022), 0777);

    /* openat: lowest free descriptors, creation, and the errors of path walking */
    int f = EXPECT(openat(AT_FDCWD, "f", O_CREAT | O_EXCL | O_WRONLY, 0666), 3);
    EXPECT(write(f, "hello", 5), 5);
    EXPECT_ERR(openat(AT_FDCWD, "f", O_CREAT | O_EXCL | O_WRONLY, 0666), EEXIST);
    EXPECT_ERR(openat(AT_FDCWD, "missing", O_RDONLY), ENOENT);
    EXPECT_ERR(openat(AT_FDCWD, "missing/x", O_RDONLY | O_CREAT, 0644), ENOENT);
    EXPECT_ERR(openat(AT_FDCWD, "f/x", O_RDONLY), ENOTDIR);
    EXPECT_ERR(openat(AT_FDCWD, "f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    EXPECT_ERR(openat(AT_FDCWD, "list", O_WRONLY), EISDIR);
    EXPECT_ERR(openat(AT_FDCWD, "list", O_RDWR), EISDIR);
    EXPECT_ERR(openat(AT_FDCWD, "list", O_RDONLY | O_CREAT, 0644), EISDIR);
    EXPECT_ERR(openat(AT_FDCWD, "", O_RDONLY), ENOENT);
    EXPECT_ERR(openat(AT_FDCWD, NULL, O_RDONLY), EFAULT);
    EXPECT_ERR(openat(-1, "f", O_RDONLY), EBADF);
    EXPECT_ERR(openat(f, "x", O_RDONLY), ENOTDIR);           /* a dirfd that is not a directory */
    EXPECT(openat(-1, "/dev/null", O_RDONLY), 4);            /* an absolute path ignores the dirfd */
    EXPECT(close(4), 0);
    memset(buf, 'a', 300);
    buf[300] = 0;
    EXPECT_ERR(openat(AT_FDCWD, buf, O_RDONLY), ENAMETOOLONG);        /* a component over NAME_MAX */
    for (int i = 0; i < PATH_MAX + 1; i++) {
        buf[i] = i % 2 ? '/' : 'a';
    }
    buf[PATH_MAX + 1] = 0;
    EXPECT_ERR(openat(AT_FDCWD, buf, O_RDONLY), ENAMETOOLONG);        /* a path over PATH_MAX */
    int list = EXPECT(openat(AT_FDCWD, "list", O_RDONLY | O_DIRECTORY), 4);
    int alpha = EXPECT(openat(list, "alpha", O_RDONLY), 5);
    EXPECT(close(alpha), 0);
    EXPECT_ERR(close(alpha), EBADF);                         /* close twice */
    EXPECT_ERR(close(-1), EBADF);
    EXPECT_ERR(close(INT_MAX), EBADF);

    /* stat family: the deterministic fields */
    EXPECT(fstat(f, &st), 0);
    show_stat("fstat(f)", &st);
    EXPECT(stat("list", &st), 0);
    show_stat("stat(list)", &st);
    EXPECT(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0), 0);
    show_stat("newfstatat(f)", &st);
    EXPECT(syscall(SYS_newfstatat, list, "gamma", &st, 0), 0);
    show_stat("newfstatat(list, gamma)", &st);
    EXPECT(syscall(SYS_newfstatat, f, "", &st, AT_EMPTY_PATH), 0);
    show_stat("newfstatat(f, \"\", AT_EMPTY_PATH)", &st);
    EXPECT_ERR(syscall(SYS_newfstatat, f, "", &st, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x10000000), EINVAL);
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, "missing", &st, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", BADPTR, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_stat, NULL, &st), EFAULT);
    EXPECT_ERR(syscall(SYS_fstat, -1, &st), EBADF);
    EXPECT(syscall(SYS_lstat, "/proc/self/exe", &st), 0);
    show_stat("lstat(/proc/self/exe)", &st);
    EXPECT(syscall(SYS_stat, "/dev/null", &st), 0);
    printf("stat(/dev/null): type=%s rdev=%u:%u\n", type_name(st.st_mode), major(st.st_rdev), minor(st.st_rdev));

    struct statx stx;
    EXPECT(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, &stx), 0);
    FACT((stx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_NLINK)) ==
         (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_NLINK));
    printf("statx(f): type=%s mode=%04o size=%llu nlink=%u\n", type_name(stx.stx_mode), stx.stx_mode & 07777,
           (unsigned long long) stx.stx_size, stx.stx_nlink);
    EXPECT(syscall(SYS_statx, list, "", AT_EMPTY_PATH, STATX_TYPE, &stx), 0);
    printf("statx(list fd): type=%s\n", type_name(stx.stx_mode));
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX__RESERVED, &stx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0x40000000, STATX_BASIC_STATS, &stx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS,
                       &stx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &stx), ENOENT);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BADPTR), EFAULT);

    /* access and faccessat: existence and walking; X_OK on a file without x bits fails even for root */
    EXPECT(syscall(SYS_access, "list/alpha", F_OK), 0);
    EXPECT(syscall(SYS_access, "list", R_OK | X_OK), 0);
    EXPECT_ERR(syscall(SYS_access, "list/alpha", X_OK), EACCES);
    EXPECT_ERR(syscall(SYS_access, "nope", F_OK), ENOENT);
    EXPECT_ERR(syscall(SYS_access, "list/alpha/x", F_OK), ENOTDIR);
    EXPECT_ERR(syscall(SYS_access, "f", 8), EINVAL);                  /* an unknown mode bit */
    EXPECT(syscall(SYS_faccessat, list, "beta", F_OK), 0);
    EXPECT_ERR(syscall(SYS_faccessat, list, "nope", F_OK), ENOENT);
    EXPECT_ERR(syscall(SYS_faccessat, -1, "beta", F_OK), EBADF);
    EXPECT(syscall(SYS_faccessat2, f, "", F_OK, AT_EMPTY_PATH), 0);
    EXPECT_ERR(syscall(SYS_faccessat2, f, "", F_OK, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_faccessat2, AT_FDCWD, "f", F_OK, 0x1), EINVAL);   /* an unknown flag */

    /* readlinkat: /proc/self/exe names the binary the harness started */
    long n = EXPECT_OK(syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, sizeof buf));
    if (n > 0) {
        buf[n] = 0;
        FACT(strcmp(buf, argv[0]) == 0);
    }
    EXPECT(syscall(SYS_readlink, "/proc/self/exe", buf, 4), 4);      /* truncated, no NUL */
    EXPECT_ERR(syscall(SYS_readlinkat, AT_FDCWD, "f", buf, sizeof buf), EINVAL);
    EXPECT_ERR(syscall(SYS_readlinkat, AT_FDCWD, "list", buf, sizeof buf), EINVAL);
    EXPECT_ERR(syscall(SYS_readlinkat, AT_FDCWD, "missing", buf, sizeof buf), ENOENT);
    EXPECT_ERR(syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", BADPTR, 16), EFAULT);

    /* getdents64: the fixture plus a file created here (in the sandbox, over the overlay) */
    int delta = EXPECT(openat(list, "delta", O_CREAT | O_WRONLY, 0644), 5);
    EXPECT(close(delta), 0);
    list_dir("list");
    list_dir("list/gamma");
    EXPECT_ERR(syscall(SYS_getdents64, f, buf, sizeof buf), ENOTDIR);
    EXPECT_ERR(syscall(SYS_getdents64, -1, buf, sizeof buf), EBADF);
    int l2 = EXPECT(open("list", O_RDONLY | O_DIRECTORY), 5);
    EXPECT_ERR(syscall(SYS_getdents64, l2, buf, 1), EINVAL);         /* too small for one entry */
    EXPECT_ERR(syscall(SYS_getdents64, l2, BADPTR, sizeof buf), EFAULT);
    EXPECT(close(l2), 0);

    /* the cwd: getcwd's raw syscall returns the length including the NUL */
    char start[PATH_MAX];
    EXPECT_OK(getcwd(start, sizeof start));
    n = EXPECT_OK(syscall(SYS_getcwd, buf, sizeof buf));
    FACT(n == (long) strlen(start) + 1);
    EXPECT_ERR(syscall(SYS_getcwd, buf, 1), ERANGE);
    EXPECT_ERR(syscall(SYS_getcwd, BADPTR, sizeof buf), EFAULT);
    EXPECT(chdir("list"), 0);
    EXPECT_OK(getcwd(buf, sizeof buf));
    FACT(strncmp(buf, start, strlen(start)) == 0 && strcmp(buf + strlen(start), "/list") == 0);
    EXPECT(syscall(SYS_access, "alpha", F_OK), 0);
    EXPECT(chdir(".."), 0);
    EXPECT_OK(getcwd(buf, sizeof buf));
    FACT(strcmp(buf, start) == 0);
    EXPECT_ERR(chdir("list/alpha"), ENOTDIR);
    EXPECT_ERR(chdir("nope"), ENOENT);
    EXPECT_ERR(chdir(NULL), EFAULT);
    EXPECT(fchdir(list), 0);
    EXPECT(syscall(SYS_access, "beta", F_OK), 0);
    EXPECT(chdir(start), 0);
    EXPECT_ERR(fchdir(f), ENOTDIR);
    EXPECT_ERR(fchdir(-1), EBADF);

    /* dup, dup2, dup3 */
    EXPECT(dup(f), 5);
    EXPECT(dup2(f, f), 3);                     /* same fd: returns it, does nothing */
    EXPECT_ERR(dup2(99, 99), EBADF);           /* ...but only if it is open */
    EXPECT(dup2(f, 100), 100);
    EXPECT(fcntl(100, F_GETFD), 0);            /* dup2 clears close-on-exec */
    EXPECT(dup2(list, 100), 100);              /* replaces silently */
    EXPECT(fstat(100, &st), 0);
    show_stat("fstat(100) after dup2(list, 100)", &st);
    EXPECT_ERR(dup2(-1, 6), EBADF);
    EXPECT_ERR(dup2(f, -1), EBADF);
    EXPECT_ERR(dup2(f, INT_MAX), EBADF);
    EXPECT_ERR(dup3(f, f, 0), EINVAL);
    EXPECT(dup3(f, 101, O_CLOEXEC), 101);
    EXPECT(fcntl(101, F_GETFD), FD_CLOEXEC);
    EXPECT_ERR(dup3(f, 102, O_NONBLOCK), EINVAL);
    EXPECT_ERR(dup(-1), EBADF);
    EXPECT(close(5), 0);
    EXPECT(close(100), 0);
    EXPECT(close(101), 0);

    /* fcntl: descriptor flags, status flags and F_DUPFD* */
    EXPECT(fcntl(f, F_GETFD), 0);
    EXPECT(fcntl(f, F_SETFD, FD_CLOEXEC), 0);
    EXPECT(fcntl(f, F_GETFD), FD_CLOEXEC);
    EXPECT(fcntl(f, F_SETFD, 0), 0);
    /* the kernel forces O_LARGEFILE on for 64-bit processes */
    EXPECT_OCT(fcntl(f, F_GETFL), O_WRONLY | 0100000);
    EXPECT(fcntl(f, F_SETFL, O_APPEND | O_NONBLOCK | O_RDWR), 0);   /* the access mode cannot change */
    EXPECT_OCT(fcntl(f, F_GETFL), O_WRONLY | O_APPEND | O_NONBLOCK | 0100000);
    EXPECT(fcntl(f, F_SETFL, O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY), 0);   /* ignored, and they clear the rest */
    EXPECT_OCT(fcntl(f, F_GETFL), O_WRONLY | 0100000);
    EXPECT_OCT(fcntl(list, F_GETFL), O_RDONLY | O_DIRECTORY | 0100000);
    EXPECT(fcntl(f, F_DUPFD_CLOEXEC, 10), 10);
    EXPECT(fcntl(10, F_GETFD), FD_CLOEXEC);
    EXPECT(fcntl(f, F_DUPFD, 10), 11);
    EXPECT(fcntl(11, F_GETFD), 0);
    EXPECT(fcntl(f, F_DUPFD, 0), 5);
    EXPECT_ERR(fcntl(f, F_DUPFD, -1), EINVAL);
    EXPECT_ERR(fcntl(f, F_DUPFD, INT_MAX), EINVAL);
    EXPECT_ERR(fcntl(f, 9999), EINVAL);
    EXPECT_ERR(fcntl(-1, F_GETFD), EBADF);
    EXPECT_ERR(fcntl(99, F_GETFL), EBADF);
    EXPECT(close(5), 0);
    EXPECT(close(10), 0);
    EXPECT(close(11), 0);

    /* ioctl: terminal requests on files that are not terminals */
    struct termios tio;
    EXPECT_ERR(ioctl(f, TCGETS, &tio), ENOTTY);
    EXPECT_ERR(ioctl(list, TCGETS, &tio), ENOTTY);
    int null = EXPECT(open("/dev/null", O_RDONLY), 5);
    EXPECT_ERR(ioctl(null, TCGETS, &tio), ENOTTY);
    EXPECT_ERR(ioctl(-1, TCGETS, &tio), EBADF);
    EXPECT(close(null), 0);

    /* a file created under umask 027 */
    umask(027);
    int g = EXPECT(open("g", O_CREAT | O_WRONLY, 0777), 5);
    EXPECT(fstat(g, &st), 0);
    show_stat("fstat(g) created 0777 under umask 027", &st);
    EXPECT(close(g), 0);
    EXPECT(close(f), 0);
    EXPECT(close(list), 0);
    return guest_done();
}
