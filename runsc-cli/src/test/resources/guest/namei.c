/* Names and attributes: mkdir, rmdir, unlink, rename, link, symlink, truncate, chmod, chown, utimensat, fsync,
 * statfs, and their errors. The fixture comes from the (read-only) lower layer in the sandbox, so removing and
 * replacing it exercises the overlay's whiteouts. */
// guest-tree: d/ d/f lower.txt lower2.txt sub/ sub/inner
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>

static long mode_of(const char *p) {
    struct stat st;
    if (lstat(p, &st) < 0) {
        return -1;
    }
    return st.st_mode;
}

static long size_of(const char *p) {
    struct stat st;
    return stat(p, &st) < 0 ? -1 : (long)st.st_size;
}

static long nlink_of(const char *p) {
    struct stat st;
    return stat(p, &st) < 0 ? -1 : (long)st.st_nlink;
}

static int put(const char *p, const char *s) {
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return -1;
    }
    int n = write(fd, s, strlen(s));
    close(fd);
    return n;
}

static const char *get(const char *p) {
    static char buf[64];
    int fd = open(p, O_RDONLY);
    if (fd < 0) {
        return "(none)";
    }
    int n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = 0;
    return buf;
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted, on one line. */
static void list(const char *dir) {
    DIR *d = opendir(dir);
    char *names[64];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 64) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            names[n++] = strdup(e->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    qsort(names, n, sizeof *names, cmp);
    printf("ls %s:", dir);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

int main(void) {
    umask(022);

    /* mkdir and rmdir */
    EXPECT(mkdir("new", 0777), 0);
    EXPECT_OCT(mode_of("new"), 040755);
    EXPECT_ERR(mkdir("new", 0777), EEXIST);
    EXPECT_ERR(mkdir("nodir/x", 0777), ENOENT);
    EXPECT_ERR(mkdir("lower.txt/x", 0777), ENOTDIR);
    EXPECT_ERR(mkdir("d/f/", 0777), EEXIST);
    EXPECT(syscall(SYS_mkdirat, AT_FDCWD, "new/inner", 0700), 0);
    EXPECT_OCT(mode_of("new/inner"), 040700);
    EXPECT_ERR(rmdir("new"), ENOTEMPTY);
    EXPECT(rmdir("new/inner"), 0);
    EXPECT(rmdir("new"), 0);
    EXPECT_ERR(rmdir("new"), ENOENT);
    EXPECT_ERR(rmdir("lower.txt"), ENOTDIR);
    EXPECT_ERR(rmdir("sub"), ENOTEMPTY);
    EXPECT_ERR(rmdir("."), EINVAL);
    EXPECT_ERR(rmdir("sub/.."), ENOTEMPTY);
    EXPECT_ERR(rmdir("/"), EBUSY);
    EXPECT_ERR(syscall(SYS_unlinkat, AT_FDCWD, "sub", 0x1), EINVAL);

    /* unlink, including a file of the lower layer, and making it again */
    EXPECT(unlink("lower.txt"), 0);
    EXPECT_ERR(access("lower.txt", F_OK), ENOENT);
    EXPECT_ERR(unlink("lower.txt"), ENOENT);
    EXPECT_ERR(unlink("d"), EISDIR);
    EXPECT_ERR(unlink("lower2.txt/"), ENOTDIR);
    EXPECT_ERR(unlink("."), EISDIR);
    EXPECT(put("lower.txt", "again"), 5);
    EXPECT(size_of("lower.txt"), 5);
    EXPECT(unlink("sub/inner"), 0);
    EXPECT(syscall(SYS_unlinkat, AT_FDCWD, "sub", AT_REMOVEDIR), 0);
    EXPECT_ERR(access("sub", F_OK), ENOENT);
    EXPECT(mkdir("sub", 0755), 0);
    list("sub");
    list(".");

    /* an open file outlives its name */
    int fd = open("lower2.txt", O_RDONLY);
    EXPECT(unlink("lower2.txt"), 0);
    struct stat st;
    EXPECT(fstat(fd, &st), 0);
    EXPECT(st.st_nlink, 0);
    close(fd);

    /* rename */
    EXPECT(put("a", "hello"), 5);
    EXPECT(rename("a", "b"), 0);
    EXPECT_ERR(access("a", F_OK), ENOENT);
    SAY("b holds %s\n", get("b"));
    EXPECT(rename("b", "d/f"), 0);
    SAY("d/f holds %s\n", get("d/f"));
    EXPECT(rename("d/f", "b"), 0);
    list("d");
    EXPECT(rename("b", "b"), 0);
    EXPECT(mkdir("m", 0755), 0);
    EXPECT(put("m/x", "x"), 1);
    EXPECT(rename("m", "n"), 0);
    SAY("n/x holds %s\n", get("n/x"));
    EXPECT_ERR(rename("n", "n/deeper"), EINVAL);
    EXPECT_ERR(rename("b", "n"), EISDIR);
    EXPECT_ERR(rename("n", "b"), ENOTDIR);
    EXPECT(mkdir("empty", 0755), 0);
    EXPECT_ERR(rename("empty", "n"), ENOTEMPTY);
    EXPECT(rename("n", "empty"), 0);
    EXPECT_ERR(access("n", F_OK), ENOENT);
    SAY("empty/x holds %s\n", get("empty/x"));
    EXPECT_ERR(rename("missing", "c"), ENOENT);
    EXPECT_ERR(rename("b", "nodir/c"), ENOENT);
    EXPECT_ERR(rename("b/", "c"), ENOTDIR);
    EXPECT_ERR(rename(".", "c"), EBUSY);
    EXPECT(put("c", "c"), 1);
    EXPECT_ERR(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "c", 1 /* RENAME_NOREPLACE */), EEXIST);
    EXPECT(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "b2", 1), 0);
    EXPECT_ERR(syscall(SYS_renameat2, AT_FDCWD, "b2", AT_FDCWD, "c", 3), EINVAL);
    EXPECT(syscall(SYS_renameat, AT_FDCWD, "c", AT_FDCWD, "b2"), 0);
    SAY("b2 holds %s\n", get("b2"));

    /* link and symlink */
    EXPECT(link("b2", "h"), 0);
    EXPECT(nlink_of("b2"), 2);
    EXPECT(nlink_of("h"), 2);
    EXPECT_ERR(link("b2", "h"), EEXIST);
    EXPECT_ERR(link("d", "dl"), EPERM);
    EXPECT_ERR(link("missing", "x"), ENOENT);
    EXPECT(unlink("h"), 0);
    EXPECT(nlink_of("b2"), 1);
    EXPECT(symlink("b2", "sl"), 0);
    EXPECT_OCT(mode_of("sl") & S_IFMT, S_IFLNK);
    char buf[64];
    long n = readlink("sl", buf, sizeof buf);
    EXPECT(n, 2);
    SAY("sl -> %.*s, holds %s\n", (int)n, buf, get("sl"));
    EXPECT_ERR(symlink("x", "sl"), EEXIST);
    EXPECT_ERR(symlink("", "empty-target"), ENOENT);
    EXPECT(syscall(SYS_symlinkat, "nowhere", AT_FDCWD, "dangling"), 0);
    EXPECT_ERR(access("dangling", F_OK), ENOENT);
    EXPECT(syscall(SYS_linkat, AT_FDCWD, "sl", AT_FDCWD, "sl2", 0), 0);
    EXPECT_OCT(mode_of("sl2") & S_IFMT, S_IFLNK);
    EXPECT(unlink("sl"), 0);
    EXPECT(size_of("b2"), 1);

    /* truncate and ftruncate */
    EXPECT(put("t", "0123456789"), 10);
    EXPECT(truncate("t", 4), 0);
    SAY("t holds %s\n", get("t"));
    EXPECT(truncate("t", 6), 0);
    EXPECT(size_of("t"), 6);
    EXPECT_ERR(truncate("d", 0), EISDIR);
    EXPECT_ERR(truncate("t", -1), EINVAL);
    EXPECT_ERR(truncate("missing", 0), ENOENT);
    fd = open("t", O_RDONLY);
    EXPECT_ERR(ftruncate(fd, 0), EINVAL);
    close(fd);
    fd = open("t", O_RDWR);
    EXPECT(ftruncate(fd, 2), 0);
    EXPECT(fsync(fd), 0);
    EXPECT(fdatasync(fd), 0);
    close(fd);
    EXPECT(size_of("t"), 2);
    EXPECT_ERR(ftruncate(-1, 0), EBADF);
    int p[2];
    EXPECT(pipe(p), 0);
    EXPECT_ERR(fsync(p[0]), EINVAL);
    EXPECT_ERR(ftruncate(p[1], 0), EINVAL);
    close(p[0]);
    close(p[1]);
    EXPECT_ERR(fsync(-1), EBADF);

    /* chmod, chown, utimensat */
    EXPECT(chmod("t", 0600), 0);
    EXPECT_OCT(mode_of("t"), 0100600);
    fd = open("t", O_RDONLY);
    EXPECT(fchmod(fd, 0640), 0);
    close(fd);
    EXPECT_OCT(mode_of("t"), 0100640);
    EXPECT(syscall(SYS_fchmodat, AT_FDCWD, "d", 0700), 0);
    EXPECT_OCT(mode_of("d"), 040700);
    EXPECT_ERR(chmod("missing", 0600), ENOENT);
    EXPECT(chown("t", getuid(), getgid()), 0);
    EXPECT(chown("t", -1, -1), 0);
    EXPECT(lchown("sl2", getuid(), getgid()), 0);
    EXPECT_ERR(fchown(-1, 0, 0), EBADF);
    struct timespec ts[2] = {{1000, 5}, {2000, 7}};
    EXPECT(utimensat(AT_FDCWD, "t", ts, 0), 0);
    EXPECT(stat("t", &st), 0);
    EXPECT(st.st_atim.tv_sec, 1000);
    EXPECT(st.st_atim.tv_nsec, 5);
    EXPECT(st.st_mtim.tv_sec, 2000);
    EXPECT(st.st_mtim.tv_nsec, 7);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {3000, 0}};
    EXPECT(utimensat(AT_FDCWD, "t", omit, 0), 0);
    EXPECT(stat("t", &st), 0);
    EXPECT(st.st_atim.tv_sec, 1000);
    EXPECT(st.st_mtim.tv_sec, 3000);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    EXPECT_ERR(utimensat(AT_FDCWD, "t", bad, 0), EINVAL);
    EXPECT_ERR(utimensat(AT_FDCWD, "t", ts, 0x8000), EINVAL);
    EXPECT(utimensat(AT_FDCWD, "t", NULL, 0), 0);
    EXPECT(stat("t", &st), 0);
    FACT(st.st_mtim.tv_sec > 3000);
    fd = open("t", O_RDONLY);
    EXPECT(futimens(fd, ts), 0);
    close(fd);
    EXPECT_ERR(utimensat(AT_FDCWD, "missing", ts, 0), ENOENT);

    /* statfs: the type differs (tmpfs in the sandbox), the name limit does not */
    struct statfs sf;
    EXPECT(statfs(".", &sf), 0);
    EXPECT(sf.f_namelen, 255);
    EXPECT_ERR(statfs("missing", &sf), ENOENT);
    EXPECT_ERR(fstatfs(-1, &sf), EBADF);
    EXPECT_ERR(statfs(".", (struct statfs *)8), EFAULT);

    list(".");
    return guest_done();
}
