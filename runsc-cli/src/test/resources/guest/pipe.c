/* pipe and pipe2 in one process: capacity, PIPE_BUF atomicity, EOF, EPIPE (SIGPIPE ignored), FIONREAD,
 * F_GETPIPE_SZ/F_SETPIPE_SZ, O_NONBLOCK, O_CLOEXEC, packet mode (O_DIRECT), fstat and lseek. */
#include "guest.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

static char big[1 << 20];

/* Fills a non-blocking pipe with writes of `chunk` bytes until EAGAIN; returns the bytes written. */
static long fill(int wfd, int chunk) {
    long total = 0;
    for (;;) {
        ssize_t n = write(wfd, big, chunk);
        if (n < 0) {
            if (errno != EAGAIN) {
                return -errno;
            }
            return total;
        }
        total += n;
    }
}

static long drain(int rfd) {
    long total = 0;
    for (;;) {
        ssize_t n = read(rfd, big, sizeof big);
        if (n <= 0) {
            return total;
        }
        total += n;
    }
}

int main(void) {
    int p[2];
    char buf[16];
    int avail = -1;

    EXPECT(pipe(p), 0);
    EXPECT(p[0], 3);
    EXPECT(p[1], 4);
    EXPECT_OCT(fcntl(p[0], F_GETFL), O_RDONLY);
    EXPECT_OCT(fcntl(p[1], F_GETFL), O_WRONLY);
    EXPECT(fcntl(p[0], F_GETFD), 0);
    struct stat st;
    EXPECT(fstat(p[0], &st), 0);
    FACT(S_ISFIFO(st.st_mode));
    EXPECT_OCT(st.st_mode & 0777, 0600);
    EXPECT(st.st_size, 0);
    char link[64] = {0}, link2[64] = {0};
    EXPECT_OK(readlink("/proc/self/fd/3", link, sizeof link - 1));
    EXPECT_OK(readlink("/proc/self/fd/4", link2, sizeof link2 - 1));
    FACT(strncmp(link, "pipe:[", 6) == 0 && strcmp(link, link2) == 0);
    FACT(st.st_ino == (ino_t) strtoul(link + 6, NULL, 10));
    EXPECT_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
    EXPECT_ERR(pread(p[0], buf, 1, 0), ESPIPE);
    EXPECT_ERR(write(p[0], "x", 1), EBADF);
    EXPECT_ERR(read(p[1], buf, 1), EBADF);

    /* data in order, FIONREAD, short reads */
    EXPECT(write(p[1], "hello", 5), 5);
    EXPECT(write(p[1], " world", 6), 6);
    EXPECT(ioctl(p[0], FIONREAD, &avail), 0);
    EXPECT(avail, 11);
    EXPECT(read(p[0], buf, 3), 3);
    EXPECT(memcmp(buf, "hel", 3), 0);
    EXPECT(read(p[0], buf, sizeof buf), 8);
    EXPECT(memcmp(buf, "lo world", 8), 0);
    EXPECT(read(p[0], buf, 0), 0);
    /* readv takes what is there and does not wait for more to fill its later buffers */
    EXPECT(write(p[1], "abcdef", 6), 6);
    struct iovec iov[2] = {{buf, 6}, {buf + 6, 6}};
    EXPECT(readv(p[0], iov, 2), 6);
    EXPECT(memcmp(buf, "abcdef", 6), 0);
    struct iovec wv[2] = {{"ab", 2}, {"cd", 2}};
    EXPECT(writev(p[1], wv, 2), 4);
    EXPECT(read(p[0], buf, sizeof buf), 4);
    EXPECT(write(p[1], buf, 0), 0);

    /* capacity */
    EXPECT(fcntl(p[0], F_GETPIPE_SZ), 65536);
    EXPECT(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    EXPECT(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    EXPECT_OCT(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK);
    EXPECT_ERR(read(p[0], buf, 1), EAGAIN);
    EXPECTL("fill with 1-byte writes", fill(p[1], 1), 65536);
    EXPECT(ioctl(p[0], FIONREAD, &avail), 0);
    EXPECT(avail, 65536);
    EXPECTL("drain", drain(p[0]), 65536);
    EXPECTL("fill with 3000-byte writes", fill(p[1], 3000), 48000);
    EXPECTL("drain", drain(p[0]), 48000);
    EXPECTL("fill with 4096-byte writes", fill(p[1], 4096), 65536);
    /* a full pipe: a write of at most PIPE_BUF is all or nothing, a bigger one is partial or EAGAIN */
    EXPECT(read(p[0], buf, 10), 10);
    EXPECT_ERR(write(p[1], big, PIPE_BUF), EAGAIN);
    EXPECT_ERR(write(p[1], big, 1), EAGAIN); /* the last page is full and the first is still in use */
    EXPECTL("drain", drain(p[0]), 65526);
    EXPECT(write(p[1], big, 100000), 65536);
    EXPECTL("drain", drain(p[0]), 65536);
    EXPECT(write(p[1], big, 100), 100);
    EXPECT(write(p[1], big, 4000), 4000);
    EXPECT(ioctl(p[0], FIONREAD, &avail), 0);
    EXPECT(avail, 4100);
    EXPECTL("drain", drain(p[0]), 4100);

    /* F_SETPIPE_SZ rounds up to a power-of-two number of pages */
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
    EXPECT(fcntl(p[1], F_GETPIPE_SZ), 4096);
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 4097), 8192);
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 3 * 4096), 16384);
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
    EXPECTL("fill a 1-page pipe", fill(p[1], 1), 4096);
    EXPECTL("drain", drain(p[0]), 4096);
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
    EXPECT(write(p[1], big, 3 * 4096), 3 * 4096);
    EXPECT_ERR(fcntl(p[1], F_SETPIPE_SZ, 8192), EBUSY);
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 16384), 16384);
    EXPECTL("drain", drain(p[0]), 3 * 4096);
    EXPECT_ERR(fcntl(p[1], F_SETPIPE_SZ, -1), EINVAL);
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
    EXPECT(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
    EXPECT_ERR(fcntl(p[1], 12345), EINVAL);

    /* EOF when the last writer closes (after the data), EPIPE when the last reader closes */
    EXPECT(write(p[1], "abc", 3), 3);
    EXPECT(close(p[1]), 0);
    EXPECT(read(p[0], buf, sizeof buf), 3);
    EXPECT(read(p[0], buf, sizeof buf), 0);
    EXPECT(close(p[0]), 0);

    EXPECT(pipe(p), 0);
    signal(SIGPIPE, SIG_IGN);
    EXPECT(close(p[0]), 0);
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    EXPECT(write(p[1], "", 0), 0);
    EXPECT(close(p[1]), 0);

    /* /proc/self/fd/N opens the same pipe again, as a new end */
    EXPECT(pipe(p), 0);
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int w2 = EXPECT(open(path, O_WRONLY), 5);
    EXPECT(write(w2, "via proc", 8), 8);
    EXPECT(close(w2), 0);
    EXPECT(read(p[0], buf, sizeof buf), 8);
    EXPECT(memcmp(buf, "via proc", 8), 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    int r2 = EXPECT(open(path, O_RDONLY | O_NONBLOCK), 5);
    struct stat st2;
    EXPECT(fstat(r2, &st2), 0);
    EXPECT(fstat(p[0], &st), 0);
    FACT(st.st_ino == st2.st_ino && S_ISFIFO(st2.st_mode));
    EXPECT(write(p[1], "z", 1), 1);
    EXPECT(read(r2, buf, sizeof buf), 1);
    EXPECT(close(r2), 0);
    EXPECT(close(p[0]), 0);
    EXPECT_ERR(open(path, O_RDONLY), ENOENT);
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int w3 = EXPECT(open(path, O_WRONLY | O_NONBLOCK), 3); /* no reader: still opens (an anonymous pipe) */
    EXPECT_ERR(write(w3, "x", 1), EPIPE);
    EXPECT(close(w3), 0);
    EXPECT(close(p[1]), 0);

    /* pipe2 flags */
    EXPECT(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    EXPECT(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    EXPECT(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    EXPECT_OCT(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
    EXPECT_ERR(read(p[0], buf, 1), EAGAIN);
    EXPECT(close(p[0]), 0);
    EXPECT(close(p[1]), 0);
    EXPECT_ERR(pipe2(p, O_RDWR), EINVAL);
    EXPECT_ERR(pipe2(p, O_APPEND), EINVAL);
    EXPECT_ERR(pipe(BADPTR), EFAULT);
    EXPECT_ERR(pipe2(BADPTR, O_CLOEXEC), EFAULT);

    /* packet mode: each write is a packet, a read returns at most one and drops the rest of it */
    EXPECT(pipe2(p, O_DIRECT | O_NONBLOCK), 0);
    EXPECT_OCT(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK | O_DIRECT);
    EXPECT(write(p[1], "one", 3), 3);
    EXPECT(write(p[1], "two!", 4), 4);
    EXPECT(write(p[1], "three", 5), 5);
    EXPECT(read(p[0], buf, sizeof buf), 3);
    EXPECT(read(p[0], buf, 2), 2);
    EXPECT(memcmp(buf, "tw", 2), 0);
    EXPECT(read(p[0], buf, sizeof buf), 5);
    EXPECT(memcmp(buf, "three", 5), 0);
    EXPECT_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    EXPECTL("fill a packet pipe", fill(p[1], 1), 16);
    EXPECT(close(p[0]), 0);
    EXPECT(close(p[1]), 0);

    return guest_done();
}
