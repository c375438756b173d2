/* read/write, readv/writev, pread64/pwrite64 and lseek, with their error paths. Runs in a fresh scratch
 * directory under /tmp (the harness makes it the cwd). */
#include "guest.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>

/** Prints bytes as a C-escaped string so holes (NUL bytes) stay visible. */
static void show(const char *label, const char *b, long n) {
    printf("%s: \"", label);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char) b[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            putchar(c);
        } else {
            printf("\\x%02x", c);
        }
    }
    printf("\"\n");
}

int main(void) {
    char buf[64];

    /* stdout: the write lands before the line that reports it */
    EXPECT(write(1, "io: hello via write(2)\n", 23), 23);
    struct iovec out[2] = {{"io: hello ", 10}, {"via writev(2)\n", 14}};
    EXPECT(writev(1, out, 2), 24);
    EXPECT(writev(1, out, 0), 0);
    EXPECT(write(1, buf, 0), 0);

    /* /dev/null: writes vanish, reads are at EOF, and neither touches the buffer */
    int null = EXPECT(open("/dev/null", O_RDWR), 3);
    EXPECT(write(null, "abc", 3), 3);
    EXPECT(read(null, buf, sizeof buf), 0);
    EXPECT(read(null, BADPTR, 1), 0);
    EXPECT(write(null, BADPTR, 1), 1);
    EXPECT(lseek(null, 100, SEEK_SET), 0);
    /* a count whose end leaves the user address space fails access_ok() before the driver runs */
    EXPECT_ERR(read(null, buf, (size_t) -1), EFAULT);
    EXPECT_ERR(write(null, buf, (size_t) -1), EFAULT);
    EXPECT_ERR(syscall(SYS_read, null, buf, (long) SSIZE_MAX), EFAULT);
    static char low[64];                       /* in .bss, far below the top of the address space */
    EXPECT(syscall(SYS_read, null, low, 1L << 40), 0);

    /* a regular file in the scratch directory */
    int fd = EXPECT(open("io.dat", O_CREAT | O_EXCL | O_RDWR, 0600), 4);
    EXPECT(pwrite64(fd, "abcdef", 6, 10), 6);
    EXPECT(lseek(fd, 0, SEEK_CUR), 0);        /* pwrite does not move the offset */
    struct stat st;
    EXPECT(fstat(fd, &st), 0);
    EXPECT((long) st.st_size, 16);
    long n = EXPECT(pread64(fd, buf, sizeof buf, 0), 16);
    show("pread64 contents (hole then data)", buf, n);
    EXPECT(pread64(fd, buf, 4, 14), 2);        /* short read at EOF */
    EXPECT(pread64(fd, buf, 4, 16), 0);
    EXPECT(pread64(fd, buf, 4, 1000), 0);
    EXPECT_ERR(pread64(fd, buf, 4, -1), EINVAL);
    EXPECT_ERR(pwrite64(fd, "x", 1, -1), EINVAL);

    EXPECT(write(fd, "XY", 2), 2);
    EXPECT(lseek(fd, 0, SEEK_CUR), 2);
    EXPECT(lseek(fd, -1, SEEK_END), 15);
    n = EXPECT(read(fd, buf, 10), 1);
    show("read at END-1", buf, n);
    EXPECT(read(fd, buf, 10), 0);
    EXPECT(lseek(fd, 100, SEEK_END), 116);     /* seeking past EOF is allowed */
    EXPECT(read(fd, buf, 10), 0);
    EXPECT(lseek(fd, -6, SEEK_CUR), 110);
    EXPECT_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    EXPECT_ERR(lseek(fd, -200, SEEK_END), EINVAL);
    EXPECT_ERR(lseek(fd, -200, SEEK_CUR), EINVAL);
    EXPECT_ERR(lseek(fd, 0, 42), EINVAL);
    EXPECT(lseek(fd, 0, SEEK_CUR), 110);       /* failed seeks leave the offset alone */
    EXPECT_ERR(lseek(-1, 0, SEEK_SET), EBADF);

    /* readv scatters in order; a short file fills the first vectors only */
    EXPECT(lseek(fd, 0, SEEK_SET), 0);
    char a[3], b[4], c[20];
    struct iovec in[3] = {{a, sizeof a}, {b, sizeof b}, {c, sizeof c}};
    EXPECT(readv(fd, in, 3), 16);
    show("readv a", a, sizeof a);
    show("readv b", b, sizeof b);
    show("readv c", c, 9);
    EXPECT(readv(fd, in, 3), 0);
    EXPECT_ERR(readv(fd, in, -1), EINVAL);
    EXPECT_ERR(readv(fd, in, 1025), EINVAL);   /* more than UIO_MAXIOV */
    EXPECT_ERR(readv(fd, BADPTR, 1), EFAULT);
    struct iovec neg[1] = {{a, (size_t) -1}};
    EXPECT_ERR(readv(fd, neg, 1), EINVAL);     /* an iov_len that is negative as ssize_t */
    EXPECT(lseek(fd, 0, SEEK_SET), 0);
    struct iovec holey[2] = {{a, sizeof a}, {BADPTR, 4}};
    EXPECT(readv(fd, holey, 2), 3);            /* the bytes before the fault count */
    EXPECT(lseek(fd, 0, SEEK_CUR), 3);
    EXPECT(lseek(fd, 0, SEEK_END), 16);
    struct iovec wv[2] = {{"gh", 2}, {"ij", 2}};
    EXPECT(writev(fd, wv, 2), 4);
    n = EXPECT(pread64(fd, buf, sizeof buf, 12), 8);
    show("after writev", buf, n);

    /* access mode is enforced per open file description */
    int ro = EXPECT(open("io.dat", O_RDONLY), 5);
    EXPECT_ERR(write(ro, "x", 1), EBADF);
    EXPECT_ERR(pwrite64(ro, "x", 1, 0), EBADF);
    int wo = EXPECT(open("io.dat", O_WRONLY | O_APPEND), 6);
    EXPECT_ERR(read(wo, buf, 1), EBADF);
    EXPECT_ERR(pread64(wo, buf, 1, 0), EBADF);
    EXPECT(write(wo, "!", 1), 1);              /* O_APPEND writes at the end whatever the offset */
    EXPECT(lseek(wo, 0, SEEK_CUR), 21);
    EXPECT(fstat(ro, &st), 0);
    EXPECT((long) st.st_size, 21);

    /* bad descriptors and bad buffers; the fd is checked first */
    EXPECT_ERR(read(-1, buf, 1), EBADF);
    EXPECT_ERR(write(-1, "x", 1), EBADF);
    EXPECT_ERR(read(-1, BADPTR, 1), EBADF);
    EXPECT_ERR(read(INT_MAX, buf, 1), EBADF);
    EXPECT_ERR(readv(-1, in, 1), EBADF);
    EXPECT_ERR(pread64(-1, buf, 1, 0), EBADF);
    EXPECT(close(ro), 0);
    EXPECT_ERR(read(ro, buf, 1), EBADF);
    EXPECT_ERR(write(1, BADPTR, 1), EFAULT);
    EXPECT(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_ERR(read(fd, BADPTR, 1), EFAULT);
    EXPECT_ERR(pwrite64(fd, BADPTR, 1, 0), EFAULT);
    EXPECT_ERR(read(fd, buf, (size_t) -1), EFAULT);
    EXPECT(read(fd, buf, 0), 0);
    EXPECT(read(fd, BADPTR, 0), 0);            /* zero bytes: no buffer access */

    EXPECT(close(wo), 0);
    EXPECT(close(fd), 0);
    EXPECT(close(null), 0);
    return guest_done();
}
