/*
 * Shared helpers for the differential guest programs (see README.md).
 *
 * Every check prints one line, "label = result", where result is the return value, "ok" (value hidden because
 * it is an address, a PID or another run-dependent number) or "-1 ENAME" (the errno's *name*). The same binary
 * runs natively and in the sandbox; the harness compares stdout, stderr and the exit status byte for byte.
 *
 * The EXPECT* forms also state what Linux does. A line whose result differs from the expectation gets
 * "  [MISMATCH: expected ...]" appended and makes the program exit with status 1, so a native run checks the
 * programs themselves and a sandbox run shows the divergence inline.
 */
#ifndef GUEST_H
#define GUEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The programs pass bad pointers and sizes on purpose; gcc's checks of libc's access attributes would flag
 * exactly those calls. */
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wnonnull"

static const char *const guest_errno_names[] = {
    [EPERM] = "EPERM",
    [ENOENT] = "ENOENT",
    [ESRCH] = "ESRCH",
    [EINTR] = "EINTR",
    [EIO] = "EIO",
    [ENXIO] = "ENXIO",
    [E2BIG] = "E2BIG",
    [ENOEXEC] = "ENOEXEC",
    [EBADF] = "EBADF",
    [ECHILD] = "ECHILD",
    [EAGAIN] = "EAGAIN",
    [ENOMEM] = "ENOMEM",
    [EACCES] = "EACCES",
    [EFAULT] = "EFAULT",
    [ENOTBLK] = "ENOTBLK",
    [EBUSY] = "EBUSY",
    [EEXIST] = "EEXIST",
    [EXDEV] = "EXDEV",
    [ENODEV] = "ENODEV",
    [ENOTDIR] = "ENOTDIR",
    [EISDIR] = "EISDIR",
    [EINVAL] = "EINVAL",
    [ENFILE] = "ENFILE",
    [EMFILE] = "EMFILE",
    [ENOTTY] = "ENOTTY",
    [ETXTBSY] = "ETXTBSY",
    [EFBIG] = "EFBIG",
    [ENOSPC] = "ENOSPC",
    [ESPIPE] = "ESPIPE",
    [EROFS] = "EROFS",
    [EMLINK] = "EMLINK",
    [EPIPE] = "EPIPE",
    [EDOM] = "EDOM",
    [ERANGE] = "ERANGE",
    [EDEADLK] = "EDEADLK",
    [ENAMETOOLONG] = "ENAMETOOLONG",
    [ENOLCK] = "ENOLCK",
    [ENOSYS] = "ENOSYS",
    [ENOTEMPTY] = "ENOTEMPTY",
    [ELOOP] = "ELOOP",
    [ENOMSG] = "ENOMSG",
    [EIDRM] = "EIDRM",
    [ECHRNG] = "ECHRNG",
    [EL2NSYNC] = "EL2NSYNC",
    [EL3HLT] = "EL3HLT",
    [EL3RST] = "EL3RST",
    [ELNRNG] = "ELNRNG",
    [EUNATCH] = "EUNATCH",
    [ENOCSI] = "ENOCSI",
    [EL2HLT] = "EL2HLT",
    [EBADE] = "EBADE",
    [EBADR] = "EBADR",
    [EXFULL] = "EXFULL",
    [ENOANO] = "ENOANO",
    [EBADRQC] = "EBADRQC",
    [EBADSLT] = "EBADSLT",
    [EBFONT] = "EBFONT",
    [ENOSTR] = "ENOSTR",
    [ENODATA] = "ENODATA",
    [ETIME] = "ETIME",
    [ENOSR] = "ENOSR",
    [ENONET] = "ENONET",
    [ENOPKG] = "ENOPKG",
    [EREMOTE] = "EREMOTE",
    [ENOLINK] = "ENOLINK",
    [EADV] = "EADV",
    [ESRMNT] = "ESRMNT",
    [ECOMM] = "ECOMM",
    [EPROTO] = "EPROTO",
    [EMULTIHOP] = "EMULTIHOP",
    [EDOTDOT] = "EDOTDOT",
    [EBADMSG] = "EBADMSG",
    [EOVERFLOW] = "EOVERFLOW",
    [ENOTUNIQ] = "ENOTUNIQ",
    [EBADFD] = "EBADFD",
    [EREMCHG] = "EREMCHG",
    [ELIBACC] = "ELIBACC",
    [ELIBBAD] = "ELIBBAD",
    [ELIBSCN] = "ELIBSCN",
    [ELIBMAX] = "ELIBMAX",
    [ELIBEXEC] = "ELIBEXEC",
    [EILSEQ] = "EILSEQ",
    [ERESTART] = "ERESTART",
    [ESTRPIPE] = "ESTRPIPE",
    [EUSERS] = "EUSERS",
    [ENOTSOCK] = "ENOTSOCK",
    [EDESTADDRREQ] = "EDESTADDRREQ",
    [EMSGSIZE] = "EMSGSIZE",
    [EPROTOTYPE] = "EPROTOTYPE",
    [ENOPROTOOPT] = "ENOPROTOOPT",
    [EPROTONOSUPPORT] = "EPROTONOSUPPORT",
    [ESOCKTNOSUPPORT] = "ESOCKTNOSUPPORT",
    [EOPNOTSUPP] = "EOPNOTSUPP",
    [EPFNOSUPPORT] = "EPFNOSUPPORT",
    [EAFNOSUPPORT] = "EAFNOSUPPORT",
    [EADDRINUSE] = "EADDRINUSE",
    [EADDRNOTAVAIL] = "EADDRNOTAVAIL",
    [ENETDOWN] = "ENETDOWN",
    [ENETUNREACH] = "ENETUNREACH",
    [ENETRESET] = "ENETRESET",
    [ECONNABORTED] = "ECONNABORTED",
    [ECONNRESET] = "ECONNRESET",
    [ENOBUFS] = "ENOBUFS",
    [EISCONN] = "EISCONN",
    [ENOTCONN] = "ENOTCONN",
    [ESHUTDOWN] = "ESHUTDOWN",
    [ETOOMANYREFS] = "ETOOMANYREFS",
    [ETIMEDOUT] = "ETIMEDOUT",
    [ECONNREFUSED] = "ECONNREFUSED",
    [EHOSTDOWN] = "EHOSTDOWN",
    [EHOSTUNREACH] = "EHOSTUNREACH",
    [EALREADY] = "EALREADY",
    [EINPROGRESS] = "EINPROGRESS",
    [ESTALE] = "ESTALE",
    [EUCLEAN] = "EUCLEAN",
    [ENOTNAM] = "ENOTNAM",
    [ENAVAIL] = "ENAVAIL",
    [EISNAM] = "EISNAM",
    [EREMOTEIO] = "EREMOTEIO",
    [EDQUOT] = "EDQUOT",
    [ENOMEDIUM] = "ENOMEDIUM",
    [EMEDIUMTYPE] = "EMEDIUMTYPE",
    [ECANCELED] = "ECANCELED",
    [ENOKEY] = "ENOKEY",
    [EKEYEXPIRED] = "EKEYEXPIRED",
    [EKEYREVOKED] = "EKEYREVOKED",
    [EKEYREJECTED] = "EKEYREJECTED",
    [EOWNERDEAD] = "EOWNERDEAD",
    [ENOTRECOVERABLE] = "ENOTRECOVERABLE",
    [ERFKILL] = "ERFKILL",
    [EHWPOISON] = "EHWPOISON",
};

/** The errno's symbolic name, or "E#n" for a number without one. */
static inline const char *errname(int e) {
    static char other[16];
    if (e > 0 && e < (int) (sizeof guest_errno_names / sizeof guest_errno_names[0]) && guest_errno_names[e]) {
        return guest_errno_names[e];
    }
    snprintf(other, sizeof other, "E#%d", e);
    return other;
}

static int guest_mismatches;

/* Line-buffered stdout: one write(2) per line, in order with the program's own writes to fd 1, and nothing
 * lost if the program dies. */
__attribute__((constructor)) static void guest_init(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* How a successful result is printed. */
enum { GUEST_DEC, GUEST_HIDE, GUEST_OCT, GUEST_HEX };

/** Formats a syscall-style result: "-1 ENAME" on failure, else the value in the format asked for. */
static inline void guest_result(char *out, size_t n, long r, int e, int fmt) {
    if (r == -1) {
        snprintf(out, n, "-1 %s", errname(e));
    } else if (fmt == GUEST_HIDE) {
        snprintf(out, n, "ok");
    } else if (fmt == GUEST_OCT) {
        snprintf(out, n, "%#lo", r);
    } else if (fmt == GUEST_HEX) {
        snprintf(out, n, "%#lx", r);
    } else {
        snprintf(out, n, "%ld", r);
    }
}

/**
 * Prints one check line. kind: 0 = no expectation, 1 = expect value exp, 2 = expect -1 with errno exp,
 * 3 = expect success (any value but -1).
 */
static inline void guest_report(const char *label, long r, int e, int fmt, int kind, long exp) {
    char got[64];
    guest_result(got, sizeof got, r, e, fmt);
    int ok = kind == 0 || (kind == 1 && r == exp) || (kind == 2 && r == -1 && e == exp) || (kind == 3 && r != -1);
    if (ok) {
        printf("%s = %s\n", label, got);
        return;
    }
    guest_mismatches++;
    if (kind == 1) {
        char want[64];
        guest_result(want, sizeof want, exp, 0, fmt == GUEST_HIDE ? GUEST_DEC : fmt);
        printf("%s = %s  [MISMATCH: expected %s]\n", label, got, want);
    } else if (kind == 2) {
        printf("%s = %s  [MISMATCH: expected -1 %s]\n", label, got, errname((int) exp));
    } else {
        printf("%s = %s  [MISMATCH: expected success]\n", label, got);
    }
}

/* errno is cleared before the call and read right after it, in sequence (a function argument list would not
 * order them). */
#define GUEST_RUN(label, call, fmt, kind, exp) ({                          \
        errno = 0;                                                         \
        long guest_r_ = (long) (call);                                     \
        int guest_e_ = errno;                                              \
        guest_report((label), guest_r_, guest_e_, (fmt), (kind), (long) (exp)); \
        guest_r_;                                                          \
    })

/** Prints the call and its result; no expectation. Evaluates to the result. */
#define CHECK(call) GUEST_RUN(#call, call, GUEST_DEC, 0, 0)
/** Expects the value v. */
#define EXPECT(call, v) GUEST_RUN(#call, call, GUEST_DEC, 1, v)
/** Expects the value v, printed in octal (modes, open flags) or hex (masks, flag words). */
#define EXPECT_OCT(call, v) GUEST_RUN(#call, call, GUEST_OCT, 1, v)
#define EXPECT_HEX(call, v) GUEST_RUN(#call, call, GUEST_HEX, 1, v)
/** Expects success, printing "ok" instead of the value (addresses, PIDs). */
#define EXPECT_OK(call) GUEST_RUN(#call, call, GUEST_HIDE, 3, 0)
/** Expects failure with errno E. */
#define EXPECT_ERR(call, E) GUEST_RUN(#call, call, GUEST_DEC, 2, E)
/* The same with an explicit label, for calls too long or too noisy to print. */
#define CHECKL(label, call) GUEST_RUN(label, call, GUEST_DEC, 0, 0)
#define EXPECTL(label, call, v) GUEST_RUN(label, call, GUEST_DEC, 1, v)
#define EXPECTL_OK(label, call) GUEST_RUN(label, call, GUEST_HIDE, 3, 0)
#define EXPECTL_ERR(label, call, E) GUEST_RUN(label, call, GUEST_DEC, 2, E)

/** Prints "cond: true" and expects it to hold. Use it for relations between run-dependent values. */
#define FACT(cond) guest_fact(#cond, (cond))
static inline int guest_fact(const char *label, int holds) {
    if (holds) {
        printf("%s: true\n", label);
    } else {
        guest_mismatches++;
        printf("%s: false  [MISMATCH: expected true]\n", label);
    }
    return holds;
}

/** Prints a free-form deterministic line. */
#define SAY(...) printf(__VA_ARGS__)

/** Ends main(): status 1 when an expectation failed. */
static inline int guest_done(void) {
    fflush(stdout);
    return guest_mismatches ? 1 : 0;
}

/** An address in no mapping: page 0, below vm.mmap_min_addr, is never mapped. */
#define BADPTR ((void *) 1)

#endif
