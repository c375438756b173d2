package dev.jvisor.abi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.HexFormat;

/**
 * The one facade for host calls. Every method returns the kernel's raw result: a value {@code >= 0}, or
 * {@code -errno}. Nothing here throws for a failed call; {@link #check} turns a result into an exception where
 * the caller cannot go on.
 *
 * <p>Most calls go through a six-instruction raw-syscall trampoline written into an executable page at class
 * load. It returns the kernel's {@code rax} as is, so there is no errno to capture and no thread-local to read.
 * Two handles exist: {@link #SYSCALL} for calls that may block (wait4, read on a pipe, futex wait), and
 * {@link #SYSCALL_CRITICAL} for short calls that never block (ptrace register access, mmap, getpid). A critical
 * call keeps the thread in Java state, so a blocking one would stall every GC safepoint.
 *
 * <p>Only {@code clone} (it needs glibc to run a function on the child's stack) and the {@code posix_spawn}
 * family go through libc.
 */
public final class Host {
    private Host() {}

    private static final Linker LINKER = Linker.nativeLinker();

    /** mov rax,rdi; mov rdi,rsi; mov rsi,rdx; mov rdx,rcx; mov r10,r8; mov r8,r9; mov r9,[rsp+8]; syscall; ret */
    private static final byte[] TRAMPOLINE = HexFormat.of().parseHex(
            "4889f84889f74889d64889ca4d89c24d89c84c8b4c24080f05c3");

    private static final FunctionDescriptor SYSCALL_DESC = FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private static final MethodHandle SYSCALL;
    private static final MethodHandle SYSCALL_CRITICAL;

    static {
        MemorySegment page = libcMmap(4096);
        MemorySegment.copy(TRAMPOLINE, 0, page, JAVA_BYTE, 0, TRAMPOLINE.length);
        if (libcMprotect(page, 4096, Mman.PROT_READ | Mman.PROT_EXEC) != 0) {
            throw new ExceptionInInitializerError("mprotect of the syscall trampoline failed");
        }
        SYSCALL = LINKER.downcallHandle(page, SYSCALL_DESC);
        SYSCALL_CRITICAL = LINKER.downcallHandle(page, SYSCALL_DESC, Linker.Option.critical(false));
    }

    // Bootstrap: the trampoline page itself comes from libc.
    private static MemorySegment libcMmap(long len) {
        MethodHandle mmap = libc("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_LONG));
        try {
            MemorySegment m = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, len,
                    Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0L);
            if (m.address() == -1L) {
                throw new ExceptionInInitializerError("mmap of the syscall trampoline failed");
            }
            return m.reinterpret(len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int libcMprotect(MemorySegment addr, long len, int prot) {
        MethodHandle mprotect = libc("mprotect", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        try {
            return (int) mprotect.invokeExact(addr, len, prot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MethodHandle libc(String name, FunctionDescriptor desc, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), desc, options);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError(t);
    }

    // ---- raw syscalls ---------------------------------------------------------------------------------------

    /** A raw syscall that may block. Returns the result or {@code -errno}. */
    public static long syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        try {
            return (long) SYSCALL.invokeExact(nr, a0, a1, a2, a3, a4, a5);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A raw syscall that never blocks; the thread stays in Java state while it runs. */
    public static long syscallFast(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        try {
            return (long) SYSCALL_CRITICAL.invokeExact(nr, a0, a1, a2, a3, a4, a5);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long syscall(long nr, long a0, long a1, long a2) {
        return syscall(nr, a0, a1, a2, 0, 0, 0);
    }

    public static long syscallFast(long nr, long a0, long a1, long a2) {
        return syscallFast(nr, a0, a1, a2, 0, 0, 0);
    }

    /** Turns a raw result into a value, or throws {@link HostException} naming {@code what}. */
    public static long check(long ret, String what) {
        if (ret < 0 && ret > -4096) {
            throw new HostException(what, (int) -ret);
        }
        return ret;
    }

    // ---- processes ------------------------------------------------------------------------------------------

    public static int getpid() {
        return (int) syscallFast(Sysno.GETPID, 0, 0, 0);
    }

    public static int gettid() {
        return (int) syscallFast(Sysno.GETTID, 0, 0, 0);
    }

    public static int kill(int pid, int sig) {
        return (int) syscallFast(Sysno.KILL, pid, sig, 0);
    }

    public static int tgkill(int tgid, int tid, int sig) {
        return (int) syscallFast(Sysno.TGKILL, tgid, tid, sig);
    }

    /** wait4(pid, status, options, NULL). May block. */
    public static int wait4(int pid, MemorySegment status, int options) {
        return (int) syscall(Sysno.WAIT4, pid, status.address(), options, 0, 0, 0);
    }

    /** ptrace(2) as the kernel defines it: PEEK* requests store their word at {@code data}. Never blocks. */
    public static long ptrace(long request, int pid, long addr, long data) {
        return syscallFast(Sysno.PTRACE, request, pid, addr, data, 0, 0);
    }

    public static int prctl(int option, long a2, long a3, long a4, long a5) {
        return (int) syscallFast(Sysno.PRCTL, option, a2, a3, a4, a5, 0);
    }

    public static int schedSetaffinity(int tid, MemorySegment mask) {
        return (int) syscallFast(Sysno.SCHED_SETAFFINITY, tid, mask.byteSize(), mask.address());
    }

    public static int schedGetaffinity(int tid, MemorySegment mask) {
        return (int) syscallFast(Sysno.SCHED_GETAFFINITY, tid, mask.byteSize(), mask.address());
    }

    private static final MethodHandle CLONE = libc("clone",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(4));

    /**
     * glibc clone(fn, stackTop, flags, arg): the child runs {@code fn} on {@code stackTop}. Returns the child's
     * pid or {@code -errno} (read from the child-side contract: glibc returns -1 and sets errno, which we cannot
     * see without capture, so failure is reported as {@code -EAGAIN}).
     */
    public static int clone(MemorySegment fn, MemorySegment stackTop, int flags, MemorySegment arg) {
        try {
            int pid = (int) CLONE.invokeExact(fn, stackTop, flags, arg);
            return pid < 0 ? -Errno.EAGAIN.number() : pid;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    /** mmap(2). Returns the address, or {@code -errno}. */
    public static long mmap(long addr, long len, int prot, int flags, int fd, long off) {
        return syscallFast(Sysno.MMAP, addr, len, prot, flags, fd, off);
    }

    public static int munmap(long addr, long len) {
        return (int) syscallFast(Sysno.MUNMAP, addr, len, 0);
    }

    public static int mprotect(long addr, long len, int prot) {
        return (int) syscallFast(Sysno.MPROTECT, addr, len, prot);
    }

    public static int madvise(long addr, long len, int advice) {
        return (int) syscallFast(Sysno.MADVISE, addr, len, advice);
    }

    public static int memfdCreate(MemorySegment name, int flags) {
        return (int) syscallFast(Sysno.MEMFD_CREATE, name.address(), flags, 0);
    }

    public static int ftruncate(int fd, long len) {
        return (int) syscallFast(Sysno.FTRUNCATE, fd, len, 0);
    }

    public static int fallocate(int fd, int mode, long off, long len) {
        return (int) syscallFast(Sysno.FALLOCATE, fd, mode, off, len, 0, 0);
    }

    // ---- files ----------------------------------------------------------------------------------------------

    public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        return (int) syscall(Sysno.OPENAT, dirfd, path.address(), flags, mode, 0, 0);
    }

    public static int close(int fd) {
        return (int) syscallFast(Sysno.CLOSE, fd, 0, 0);
    }

    public static int closeRange(int first, int last, int flags) {
        return (int) syscallFast(Sysno.CLOSE_RANGE, first, last & 0xffffffffL, flags);
    }

    public static int dup3(int oldfd, int newfd, int flags) {
        return (int) syscallFast(Sysno.DUP3, oldfd, newfd, flags);
    }

    public static int fcntl(int fd, int cmd, long arg) {
        return (int) syscall(Sysno.FCNTL, fd, cmd, arg);
    }

    public static int ioctl(int fd, long request, long arg) {
        return (int) syscall(Sysno.IOCTL, fd, request, arg);
    }

    /** read(2) into native memory at {@code buf}. May block. */
    public static long read(int fd, long buf, long count) {
        return syscall(Sysno.READ, fd, buf, count);
    }

    /** write(2) from native memory at {@code buf}. May block. */
    public static long write(int fd, long buf, long count) {
        return syscall(Sysno.WRITE, fd, buf, count);
    }

    public static long pread(int fd, long buf, long count, long off) {
        return syscall(Sysno.PREAD64, fd, buf, count, off, 0, 0);
    }

    public static long pwrite(int fd, long buf, long count, long off) {
        return syscall(Sysno.PWRITE64, fd, buf, count, off, 0, 0);
    }

    public static long lseek(int fd, long off, int whence) {
        return syscallFast(Sysno.LSEEK, fd, off, whence);
    }

    /** fstat(2) into a {@link Stat#LAYOUT} segment. */
    public static int fstat(int fd, MemorySegment stat) {
        return (int) syscallFast(Sysno.FSTAT, fd, stat.address(), 0);
    }

    public static int fstatat(int dirfd, MemorySegment path, MemorySegment stat, int flags) {
        return (int) syscall(Sysno.NEWFSTATAT, dirfd, path.address(), stat.address(), flags, 0, 0);
    }

    public static long getdents64(int fd, long buf, long count) {
        return syscall(Sysno.GETDENTS64, fd, buf, count);
    }

    public static long readlinkat(int dirfd, MemorySegment path, long buf, long size) {
        return syscall(Sysno.READLINKAT, dirfd, path.address(), buf, size, 0, 0);
    }

    public static int pipe2(MemorySegment fds, int flags) {
        return (int) syscallFast(Sysno.PIPE2, fds.address(), flags, 0);
    }

    public static int eventfd(int initval, int flags) {
        return (int) syscallFast(Sysno.EVENTFD2, initval, flags, 0);
    }

    /** ppoll(fds, nfds, timeout, NULL sigmask). May block. */
    public static int ppoll(MemorySegment fds, int nfds, MemorySegment timeout) {
        return (int) syscall(Sysno.PPOLL, fds.address(), nfds, timeout.address(), 0, 8, 0);
    }

    // ---- sockets --------------------------------------------------------------------------------------------

    public static int socketpair(int domain, int type, int protocol, MemorySegment sv) {
        return (int) syscallFast(Sysno.SOCKETPAIR, domain, type, protocol, sv.address(), 0, 0);
    }

    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        return syscall(Sysno.SENDMSG, fd, msghdr.address(), flags);
    }

    public static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        return syscall(Sysno.RECVMSG, fd, msghdr.address(), flags);
    }

    // ---- misc -----------------------------------------------------------------------------------------------

    public static int clockGettime(int clock, MemorySegment ts) {
        return (int) syscallFast(Sysno.CLOCK_GETTIME, clock, ts.address(), 0);
    }

    public static long getrandom(long buf, long len, int flags) {
        return syscallFast(Sysno.GETRANDOM, buf, len, flags);
    }

    /** A segment for small out-parameters, freed with the arena. */
    public static MemorySegment alloc(Arena arena, long size) {
        return arena.allocate(size, 16);
    }

    // ---- gofer ----------------------------------------------------------------------------------------------

    public static int getppid() {
        return (int) syscallFast(Sysno.GETPPID, 0, 0, 0);
    }

    public static int mknodat(int dirfd, MemorySegment path, int mode, long dev) {
        return (int) syscall(Sysno.MKNODAT, dirfd, path.address(), mode, dev, 0, 0);
    }

    public static int shutdown(int fd, int how) {
        return (int) syscallFast(Sysno.SHUTDOWN, fd, how, 0);
    }

    public static int getsockopt(int fd, int level, int name, MemorySegment val, MemorySegment len) {
        return (int) syscallFast(Sysno.GETSOCKOPT, fd, level, name, val.address(), len.address(), 0);
    }

    /**
     * Room for glibc's opaque {@code posix_spawn_file_actions_t} (80 bytes in glibc 2.36) and
     * {@code posix_spawnattr_t} (336 bytes), with margin.
     */
    public static final long SPAWN_FILE_ACTIONS_SIZE = 256, SPAWN_ATTR_SIZE = 512;
    /** glibc's {@code sigset_t} (1024 bits). */
    public static final long SIGSET_SIZE = 128;

    public static final short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04,
            POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    private static final class Spawn {
        static final MethodHandle SPAWN = libc("posix_spawn",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle FA_INIT = libc("posix_spawn_file_actions_init",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DESTROY = libc("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DUP2 = libc("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle FA_OPEN = libc("posix_spawn_file_actions_addopen",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle FA_CLOSEFROM = libc("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle ATTR_INIT = libc("posix_spawnattr_init",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ATTR_DESTROY = libc("posix_spawnattr_destroy",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ATTR_SETFLAGS = libc("posix_spawnattr_setflags",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_SHORT));
        static final MethodHandle ATTR_SETSIGMASK = libc("posix_spawnattr_setsigmask",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle ATTR_SETSIGDEFAULT = libc("posix_spawnattr_setsigdefault",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private static int negate(int err) {
        return err == 0 ? 0 : -err;
    }

    /**
     * posix_spawn(3): starts {@code path} with the NULL-terminated pointer arrays {@code argv} and {@code envp}.
     * Stores the child's pid in {@code pidOut} (a 4-byte segment). Returns 0 or {@code -errno}. Never blocks
     * beyond the exec (glibc uses CLONE_VFORK).
     */
    public static int posixSpawn(MemorySegment pidOut, MemorySegment path, MemorySegment fileActions,
                                 MemorySegment attr, MemorySegment argv, MemorySegment envp) {
        try {
            return negate((int) Spawn.SPAWN.invokeExact(pidOut, path, fileActions, attr, argv, envp));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnFileActionsInit(MemorySegment fa) {
        try {
            return negate((int) Spawn.FA_INIT.invokeExact(fa));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnFileActionsDestroy(MemorySegment fa) {
        try {
            return negate((int) Spawn.FA_DESTROY.invokeExact(fa));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnFileActionsAdddup2(MemorySegment fa, int fd, int newfd) {
        try {
            return negate((int) Spawn.FA_DUP2.invokeExact(fa, fd, newfd));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnFileActionsAddopen(MemorySegment fa, int fd, MemorySegment path, int oflag,
                                                   int mode) {
        try {
            return negate((int) Spawn.FA_OPEN.invokeExact(fa, fd, path, oflag, mode));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** glibc 2.34+: close every fd {@code >= from} in the child. */
    public static int posixSpawnFileActionsAddclosefromNp(MemorySegment fa, int from) {
        try {
            return negate((int) Spawn.FA_CLOSEFROM.invokeExact(fa, from));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnattrInit(MemorySegment attr) {
        try {
            return negate((int) Spawn.ATTR_INIT.invokeExact(attr));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnattrDestroy(MemorySegment attr) {
        try {
            return negate((int) Spawn.ATTR_DESTROY.invokeExact(attr));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnattrSetflags(MemorySegment attr, short flags) {
        try {
            return negate((int) Spawn.ATTR_SETFLAGS.invokeExact(attr, flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code sigset} is a {@link #SIGSET_SIZE}-byte glibc sigset_t. */
    public static int posixSpawnattrSetsigmask(MemorySegment attr, MemorySegment sigset) {
        try {
            return negate((int) Spawn.ATTR_SETSIGMASK.invokeExact(attr, sigset));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int posixSpawnattrSetsigdefault(MemorySegment attr, MemorySegment sigset) {
        try {
            return negate((int) Spawn.ATTR_SETSIGDEFAULT.invokeExact(attr, sigset));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- ptrace platform ----

    /** pidfd_open(2): a pidfd for {@code pid}, or {@code -errno}. */
    public static int pidfdOpen(int pid, int flags) {
        return (int) syscallFast(Sysno.PIDFD_OPEN, pid, flags, 0);
    }

    /** pidfd_send_signal(pidfd, sig, NULL, 0): signals the process behind {@code pidfd}, immune to pid reuse. */
    public static int pidfdSendSignal(int pidfd, int sig) {
        return (int) syscallFast(Sysno.PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0, 0, 0);
    }

    /** waitid(idtype, id, infop, options, NULL). May block. {@code infop} holds a 128-byte siginfo_t. */
    public static int waitid(int idtype, long id, MemorySegment infop, int options) {
        return (int) syscall(Sysno.WAITID, idtype, id, infop.address(), options, 0, 0);
    }

    // ---- lifecycle ----

    /** socket(2): a new socket, or {@code -errno}. */
    public static int socket(int domain, int type, int protocol) {
        return (int) syscallFast(Sysno.SOCKET, domain, type, protocol);
    }

    /** connect(2) to {@code addr} ({@code len} bytes of sockaddr). May block. */
    public static int connect(int fd, MemorySegment addr, int len) {
        return (int) syscall(Sysno.CONNECT, fd, addr.address(), len);
    }

    // ---- ipc and waiting ----

    /** Holds the 8-byte value 1 that {@link #eventfdSignal} writes; only ever read. */
    private static final MemorySegment EVENTFD_ONE = one();
    /** Where {@link #eventfdDrain} reads into; the value is thrown away, so threads may share it. */
    private static final MemorySegment EVENTFD_SINK = Arena.global().allocate(8, 8);

    /** Adds 1 to eventfd {@code efd} (a write of 8 bytes). Never blocks on a non-blocking eventfd. */
    public static long eventfdSignal(int efd) {
        return syscallFast(Sysno.WRITE, efd, EVENTFD_ONE.address(), 8);
    }

    /** Resets non-blocking eventfd {@code efd} to 0 (a read of 8 bytes; EAGAIN when it was 0 already). */
    public static long eventfdDrain(int efd) {
        return syscallFast(Sysno.READ, efd, EVENTFD_SINK.address(), 8);
    }

    private static MemorySegment one() {
        MemorySegment m = Arena.global().allocate(8, 8);
        m.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L);
        return m;
    }

    // ---- tty ----

    /** bind(2) of socket {@code fd} to {@code addr} ({@code len} bytes of sockaddr). */
    public static int bind(int fd, MemorySegment addr, int len) {
        return (int) syscallFast(Sysno.BIND, fd, addr.address(), len);
    }

    /** listen(2). */
    public static int listen(int fd, int backlog) {
        return (int) syscallFast(Sysno.LISTEN, fd, backlog, 0);
    }

    /** accept4(2) without the peer's address. May block. */
    public static int accept4(int fd, int flags) {
        return (int) syscall(Sysno.ACCEPT4, fd, 0, 0, flags, 0, 0);
    }
}
