/* brk, mmap/munmap/mprotect/mremap/madvise, and copies to and from memory the process cannot access. */
#include "guest.h"

#include <fcntl.h>
#include <sys/mman.h>

#define PAGE 4096L

/** 1 when every byte of [p, p+n) is c. */
static int all(const char *p, long n, char c) {
    for (long i = 0; i < n; i++) {
        if (p[i] != c) {
            return 0;
        }
    }
    return 1;
}

int main(void) {
    /* brk: the break moves where asked, a request below the data segment leaves it alone, and brk(0) reads it */
    long cur = syscall(SYS_brk, 0);
    FACT(cur > 0 && cur % PAGE == 0);
    FACT(syscall(SYS_brk, 0) == cur);
    FACT(syscall(SYS_brk, cur + 16 * PAGE) == cur + 16 * PAGE);
    memset((char *) cur, 0x5a, 16 * PAGE);
    FACT(all((char *) cur, 16 * PAGE, 0x5a));
    FACT(syscall(SYS_brk, cur + 3) == cur + 3);          /* the break itself is not page-aligned */
    FACT(syscall(SYS_brk, 0) == cur + 3);
    FACT(syscall(SYS_brk, cur) == cur);
    FACT(syscall(SYS_brk, cur + PAGE) == cur + PAGE);    /* memory given back and taken again is zeroed */
    FACT(all((char *) cur, PAGE, 0));
    FACT(syscall(SYS_brk, 1) == cur + PAGE);             /* below the data segment: refused, break unchanged */
    FACT(syscall(SYS_brk, -1L) == cur + PAGE);           /* beyond the address space: likewise */
    FACT(syscall(SYS_brk, cur) == cur);

    /* anonymous private memory starts zeroed and holds what is written */
    char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FACT(p != MAP_FAILED && (long) p % PAGE == 0);
    FACT(all(p, 4 * PAGE, 0));
    memset(p, 'm', 4 * PAGE);
    FACT(all(p, 4 * PAGE, 'm'));

    /* mmap argument errors */
    EXPECT_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR(mmap(p + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);        /* neither private nor shared */
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR(mmap(NULL, 1L << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    EXPECT_ERR(mmap(NULL, -PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);           /* a file mapping needs an fd */
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
    EXPECT_ERR(mmap(p + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    FACT(all(p, 4 * PAGE, 'm'));                                                  /* ...and nothing changed */

    /* MAP_FIXED replaces what was there with fresh zeroed memory */
    char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    FACT(q == p + PAGE);
    FACT(all(p + PAGE, PAGE, 0) && all(p, PAGE, 'm') && all(p + 2 * PAGE, 2 * PAGE, 'm'));

    /* mprotect */
    EXPECT(mprotect(p, PAGE, PROT_READ), 0);
    EXPECT(mprotect(p, 0, PROT_READ), 0);
    EXPECT_ERR(mprotect(p + 1, PAGE, PROT_READ), EINVAL);
    EXPECT_ERR(mprotect(p, PAGE, 0x100), EINVAL);                                 /* an unknown prot bit */
    EXPECT(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);

    /* munmap: a hole in the middle makes the range partly unmapped */
    EXPECT_ERR(munmap(p, 0), EINVAL);
    EXPECT_ERR(munmap(p + 1, PAGE), EINVAL);
    EXPECT(munmap(p + 2 * PAGE, PAGE), 0);
    EXPECT(munmap(p + 2 * PAGE, PAGE), 0);                                        /* unmapping nothing succeeds */
    EXPECT_ERR(mprotect(p + 2 * PAGE, PAGE, PROT_READ), ENOMEM);
    EXPECT_ERR(mprotect(p, 4 * PAGE, PROT_READ), ENOMEM);
    int fd = EXPECT(open("mem.dat", O_CREAT | O_RDWR | O_TRUNC, 0600), 3);
    EXPECT(write(fd, "0123456789", 10), 10);
    /* ...but only after changing the pages before the hole: they are read-only now */
    EXPECT_ERR(pread64(fd, p + PAGE, 10, 0), EFAULT);
    EXPECT(mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE), 0);
    EXPECT_ERR(madvise(p + 2 * PAGE, PAGE, MADV_DONTNEED), ENOMEM);
    FACT(all(p + 3 * PAGE, PAGE, 'm'));                                           /* the neighbours survive */

    /* copies between files and inaccessible memory fail with EFAULT, and a partial copy counts */
    EXPECT(mprotect(p + 3 * PAGE, PAGE, PROT_NONE), 0);
    EXPECT_ERR(write(fd, p + 3 * PAGE, 10), EFAULT);                              /* from a PROT_NONE page */
    EXPECT(mprotect(p + 3 * PAGE, PAGE, PROT_READ), 0);
    EXPECT_ERR(pread64(fd, p + 3 * PAGE, 10, 0), EFAULT);                         /* into a PROT_READ page */
    EXPECT_ERR(pread64(fd, p + 2 * PAGE, 10, 0), EFAULT);                         /* into the hole */
    EXPECT(pread64(fd, p + 2 * PAGE - 4, 10, 0), 4);                              /* up to the hole */
    FACT(memcmp(p + 2 * PAGE - 4, "0123", 4) == 0);
    EXPECT(mprotect(p + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
    FACT(all(p + 3 * PAGE, PAGE, 'm'));

    /* mremap */
    char *r = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(r, 'r', PAGE);
    char *grown = mremap(r, PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    FACT(grown != MAP_FAILED);
    FACT(all(grown, PAGE, 'r') && all(grown + PAGE, 7 * PAGE, 0));               /* contents kept, tail zeroed */
    FACT(mremap(grown, 8 * PAGE, 2 * PAGE, 0) == grown);                         /* shrinking stays in place */
    EXPECT_ERR(mremap(grown, PAGE, 2 * PAGE, 0), ENOMEM);                        /* the next page is in use */
    EXPECT_ERR(mremap(grown + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL);
    EXPECT_ERR(mremap(grown, 0, PAGE, MREMAP_MAYMOVE), EINVAL);                  /* size 0 is for shared maps */
    EXPECT_ERR(mremap(grown, PAGE, 0, MREMAP_MAYMOVE), EINVAL);
    EXPECT_ERR(mremap(grown, PAGE, PAGE, 0x100), EINVAL);                         /* an unknown flag */
    EXPECT_ERR(mremap(grown, PAGE, PAGE, MREMAP_FIXED, p), EINVAL);              /* FIXED needs MAYMOVE */
    EXPECT_ERR(mremap(p + 2 * PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);   /* nothing mapped there */
    EXPECT(munmap(grown, 2 * PAGE), 0);

    /* madvise(MADV_DONTNEED) drops private anonymous pages: they read back as zeroes */
    EXPECT(madvise(p, PAGE, MADV_DONTNEED), 0);
    FACT(all(p, PAGE, 0));
    FACT(all(p + 3 * PAGE, PAGE, 'm'));
    EXPECT(madvise(p, 0, MADV_DONTNEED), 0);
    EXPECT_ERR(madvise(p + 1, PAGE, MADV_DONTNEED), EINVAL);
    EXPECT_ERR(madvise(p, PAGE, 12345), EINVAL);
    EXPECT(madvise(p, PAGE, MADV_NORMAL), 0);

    /* a private file mapping reads the file, zero-fills past EOF, and keeps its writes to itself */
    char *f = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    FACT(f != MAP_FAILED);
    FACT(memcmp(f, "0123456789", 10) == 0 && all(f + 10, PAGE - 10, 0));
    f[0] = 'X';
    char buf[10];
    EXPECT(pread64(fd, buf, 10, 0), 10);
    FACT(buf[0] == '0');
    EXPECT(pwrite64(fd, "A", 1, 1), 1);        /* the file changes under a page not yet copied... */
    FACT(f[0] == 'X');                         /* ...but the written page is the process's own */
    EXPECT(munmap(f, PAGE), 0);
    char *ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    FACT(ro != MAP_FAILED && memcmp(ro, "0A23456789", 10) == 0);
    EXPECT(munmap(ro, PAGE), 0);
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);          /* an unaligned offset */
    int wo = EXPECT(open("mem.dat", O_WRONLY), 4);
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
    int rdonly = EXPECT(open("mem.dat", O_RDONLY), 5);
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0), EACCES);
    char *cow = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, rdonly, 0);
    FACT(cow != MAP_FAILED);                   /* a private writable map of a read-only fd is fine */
    EXPECT(munmap(cow, PAGE), 0);
    int dir = EXPECT(open(".", O_RDONLY | O_DIRECTORY), 6);
    EXPECT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
    EXPECT(close(dir), 0);
    EXPECT(close(rdonly), 0);
    EXPECT(close(wo), 0);
    EXPECT(close(fd), 0);

    EXPECT(munmap(p, 4 * PAGE), 0);
    return guest_done();
}
