package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.kernel.Exec;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.TaskExit;
import dev.jvisor.sentry.loader.ElfFile;
import dev.jvisor.sentry.kernel.ProcessTimers;
import dev.jvisor.sentry.loader.ElfLoader;
import dev.jvisor.sentry.loader.LoadException;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Context;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Running a new program: execve(2) and execveat(2). Everything that can fail with an errno (the path, the
 * arguments, {@code #!} interpreters, the ELF headers, E2BIG) is checked before the point of no return; after
 * it, the other threads die, the old address space goes, and a load failure kills the process with SIGSEGV.
 */
final class ExecSyscalls {
    private ExecSyscalls() {}

    private static final int PATH_MAX = 4096;
    /** MAX_ARG_STRLEN: one string, NUL included. */
    private static final int MAX_ARG_STRLEN = 32 * 4096;
    /** The most argument and environment bytes (with their pointers): a quarter of the 8 MiB stack. */
    private static final long MAX_ARG_BYTES = ElfLoader.STACK_SIZE / 4;
    /** BINPRM_BUF_SIZE: how much of a file is read to recognise it. */
    private static final int BINPRM_BUF_SIZE = 256;
    /** Interpreter nesting beyond this is ELOOP (exec_binprm). */
    private static final int MAX_DEPTH = 5;

    /** Implements execve(2). */
    static long execve(Task t, SyscallArguments a) {
        return exec(t, Fcntl.AT_FDCWD, a.a0, a.a1, a.a2, 0);
    }

    /** Implements execveat(2). */
    static long execveat(Task t, SyscallArguments a) {
        return exec(t, a.i(0), a.a1, a.a2, a.a3, a.i(4));
    }

    private static long exec(Task t, int dirfd, long pathAddr, long argvAddr, long envpAddr, int flags) {
        if ((flags & ~(Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW)) != 0) {
            return Errno.EINVAL.ret();
        }
        String path = t.mm().readCString(pathAddr, PATH_MAX - 1);
        long[] budget = {MAX_ARG_BYTES};
        List<String> argv = strings(t, argvAddr, budget);
        List<String> envp = strings(t, envpAddr, budget);
        if (argv.isEmpty()) {
            argv.add(""); // Linux 5.18+: never start a program with argc == 0
        }
        VirtualFilesystem vfs = t.kernel().vfs();
        String filename;
        String comm = null;
        FileDescription f;
        if (path.isEmpty()) {
            if ((flags & Fcntl.AT_EMPTY_PATH) == 0) {
                return Errno.ENOENT.ret();
            }
            f = openFd(t, dirfd);
            filename = "/dev/fd/" + dirfd;
            // Linux 6.14+ (fs/exec.c, comm_from_dentry): fexecve names the process after the file's own
            // name, not "3" from /dev/fd/3.
            VirtualDentry vd = f.path();
            comm = vd == null || vd.dentry() == null ? null : vd.dentry().name();
        } else {
            VirtualDentry start = vfs.start(t, dirfd, path);
            if ((flags & Fcntl.AT_SYMLINK_NOFOLLOW) != 0
                    && vfs.resolve(t, start, path, false).inode().isSymlink()) {
                return Errno.ELOOP.ret();
            }
            f = vfs.openExecutable(t, start, path);
            filename = dirfd == Fcntl.AT_FDCWD || path.charAt(0) == '/' ? path : "/dev/fd/" + dirfd + "/" + path;
        }
        String current = filename;
        try {
            for (int depth = 0; ; depth++) {
                byte[] head = head(f);
                if (head.length < 2 || head[0] != '#' || head[1] != '!') {
                    break;
                }
                if (depth >= MAX_DEPTH) {
                    return Errno.ELOOP.ret();
                }
                String[] interp = shebang(head);
                List<String> args = new ArrayList<>();
                args.add(interp[0]);
                if (interp[1] != null) {
                    args.add(interp[1]);
                }
                args.add(current); // the script's path, in place of its argv[0]
                args.addAll(argv.subList(1, argv.size()));
                argv = args;
                FileDescription next = vfs.openExecutable(t, t.fs().cwd(), interp[0]);
                f.decRef();
                f = next;
                current = interp[0];
            }
            ElfFile.read(f, t.mm().maxUserAddress()); // ENOEXEC, EINVAL: still returnable
            ElfLoader.checkArguments(filename, argv, envp);
            return commit(t, f, filename, comm, argv, envp);
        } catch (LoadException e) {
            return e.errno().ret();
        } finally {
            f.decRef();
        }
    }

    /**
     * Past the point of no return: the process becomes the new program, or dies with SIGSEGV. Its command name
     * is {@code comm} when not null, else the basename of {@code filename} (the path as given, so execve of
     * /proc/self/exe makes it "exe", as on Linux).
     */
    private static long commit(Task t, FileDescription f, String filename, String comm, List<String> argv,
            List<String> envp) {
        int r = Exec.deThread(t);
        if (r < 0) {
            return r;
        }
        Kernel k = t.kernel();
        MemoryManager old = t.mm();
        TaskExit.releaseFutexes(t, old);
        Context c = t.context();
        c.release(); // this thread leaves the old address space (a vfork parent still uses it)
        try {
            AddressSpace as = k.platform().newAddressSpace();
            t.mm(new MemoryManager(k.memoryFile(), as));
        } catch (RuntimeException e) {
            Log.warn("execve: no new address space", e);
            t.mm(old);
            t.threadGroup().beginExit(Signals.SIGSEGV);
            return 0;
        }
        t.threadGroup().cpu().detach(old); // user time in the old stub is final before it goes
        t.threadGroup().cpu().attach(t.mm().addressSpace());
        old.release();
        t.threadGroup().markExeced(); // past the point of no return, before a vfork parent can look
        TaskExit.releaseVfork(t);
        FdTable fds = t.fdTable();
        if (fds.users() > 1) {
            FdTable own = fds.fork();
            fds.release();
            t.fdTable(own);
            fds = own;
        }
        fds.closeOnExec();
        t.signalActions(t.signalActions().copy()); // the loader resets it: never a table another process shares
        try {
            ProcessTimers.onExec(t.threadGroup()); // POSIX timers do not survive execve
            ElfLoader.load(t, f, filename, argv, envp);
            if (comm != null) {
                t.comm(comm);
            }
        } catch (LoadException e) {
            Log.debug("execve of " + filename + " failed after the point of no return: " + e.getMessage());
            t.threadGroup().beginExit(Signals.SIGSEGV);
            return 0;
        }
        if (k.vfs() != null) {
            k.vfs().procfs().processes().put(t, k.vfs().pathname(f.path(), t.fs().root()), argv);
        }
        return 0;
    }

    /** AT_EMPTY_PATH: the file open as {@code fd} itself, if it may be executed. */
    private static FileDescription openFd(Task t, int fd) {
        if (fd == Fcntl.AT_FDCWD) {
            throw Errno.EACCES.exception(); // the cwd is a directory
        }
        FileDescription d = t.fdTable().get(fd);
        if (d == null) {
            throw Errno.EBADF.exception();
        }
        try {
            VirtualDentry vd = d.path();
            Inode i = vd == null ? null : vd.inode();
            if (i == null || !i.isRegular() || i.permission(t.creds(), Fcntl.X_OK) != 0) {
                throw Errno.EACCES.exception();
            }
            return i.open(vd, Fcntl.O_RDONLY);
        } finally {
            d.decRef();
        }
    }

    /** The first bytes of {@code f} (up to BINPRM_BUF_SIZE). */
    private static byte[] head(FileDescription f) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BINPRM_BUF_SIZE);
            long n = f.pread(buf, 0);
            if (n < 0) {
                Errno e = Errno.of((int) -n);
                throw (e != null ? e : Errno.EIO).exception();
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    /**
     * Parses a {@code #!} line as binfmt_script does: the interpreter is the first word after {@code #!}
     * (leading blanks skipped), the optional argument is the rest of the line with trailing blanks removed.
     * ENOEXEC when there is no interpreter, or the line does not end (newline or blank) within the buffer.
     */
    static String[] shebang(byte[] head) {
        int end = -1;
        for (int i = 2; i < head.length; i++) {
            if (head[i] == '\n') {
                end = i;
                break;
            }
        }
        boolean truncated = end < 0;
        if (truncated) {
            end = head.length;
        }
        int i = 2;
        while (i < end && (head[i] == ' ' || head[i] == '\t')) {
            i++;
        }
        int e = end;
        while (e > i && (head[e - 1] == ' ' || head[e - 1] == '\t' || head[e - 1] == '\0')) {
            e--;
        }
        if (i >= e) {
            throw Errno.ENOEXEC.exception();
        }
        int nameEnd = i;
        while (nameEnd < e && head[nameEnd] != ' ' && head[nameEnd] != '\t' && head[nameEnd] != '\0') {
            nameEnd++;
        }
        if (truncated && nameEnd == end) {
            throw Errno.ENOEXEC.exception(); // the interpreter's name may go on past what was read
        }
        String name = new String(head, i, nameEnd - i, StandardCharsets.UTF_8);
        int argStart = nameEnd;
        while (argStart < e && (head[argStart] == ' ' || head[argStart] == '\t')) {
            argStart++;
        }
        String arg = argStart < e ? new String(head, argStart, e - argStart, StandardCharsets.UTF_8) : null;
        return new String[] {name, arg};
    }

    /**
     * Copies a NULL-terminated array of string pointers (argv, envp; NULL means empty), charging each string
     * and pointer to {@code budget[0]}: E2BIG when a string exceeds MAX_ARG_STRLEN or the budget runs out.
     */
    private static List<String> strings(Task t, long addr, long[] budget) {
        List<String> out = new ArrayList<>();
        if (addr == 0) {
            return out;
        }
        MemoryManager mm = t.mm();
        for (long p = addr; ; p += 8) {
            long s = mm.readLong(p);
            if (s == 0) {
                return out;
            }
            byte[] b = mm.readBytesUntilNul(s, MAX_ARG_STRLEN);
            if (b.length >= MAX_ARG_STRLEN) {
                throw Errno.E2BIG.exception();
            }
            budget[0] -= b.length + 1 + 8;
            if (budget[0] < 0) {
                throw Errno.E2BIG.exception();
            }
            out.add(new String(b, StandardCharsets.UTF_8));
        }
    }
}
