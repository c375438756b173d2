package dev.jvisor.sentry.boot;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.fs.host.HostFileDescription;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.VirtualFilesystem;

/**
 * Prepares a process's first task before it runs (the sandbox's init, or one started by {@code jrunsc exec}): its
 * filesystem context and stdio, and the executable found the way a shell's execvp finds it. Failures become {@link SandboxException}s with a shell's exit status: 127
 * when nothing was found, 126 when something was found but cannot be run.
 */
final class InitProcess {
    private InitProcess() {}

    /** The PATH execvp uses when the environment has none. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** An executable, opened, with the path it was found at and its absolute path for /proc/PID/exe. */
    record Executable(FileDescription file, String path, String absolutePath, String displayName) {}

    /**
     * Gives {@code t} its root, working directory, umask and stdio as fds 0, 1 and 2: the caller's, or with
     * {@code terminal} one description of /dev/pts/0, which becomes the controlling terminal of init's session
     * with init's group in the foreground (as runc's init does with setsid and TIOCSCTTY).
     */
    static void setUp(Task t, SandboxSpec spec, Terminal terminal) {
        VirtualFilesystem vfs = t.kernel().vfs();
        enter(t, spec.cwd(), 022);
        FdTable fds = new FdTable();
        if (terminal == null) {
            HostFileDescription.installStdio(fds);
        } else {
            onTerminal(t, fds, terminal, 0);
        }
        t.fdTable(fds);
        vfs.procfs().kernelVersion(Kernel.UTS_RELEASE, Kernel.UTS_VERSION);
    }

    /**
     * Gives {@code t} (a session leader) its root, working directory and {@code umask}, and as fds 0, 1 and 2 one
     * description of {@code terminal}, /dev/pts/{@code index}, which becomes its session's controlling terminal
     * with its group in the foreground ({@code exec -t}).
     */
    static void setUp(Task t, String cwd, int umask, Terminal terminal, int index) {
        FdTable fds = new FdTable();
        t.fdTable(fds);
        enter(t, cwd, umask);
        onTerminal(t, fds, terminal, index);
    }

    private static void onTerminal(Task t, FdTable fds, Terminal terminal, int index) {
        terminal.start(t.kernel());
        FileDescription tty = t.kernel().vfs().open(t, t.fs().root(), "/dev/pts/" + index,
                Fcntl.O_RDWR | Fcntl.O_NOCTTY, 0);
        for (int fd = 0; fd <= 2; fd++) {
            if (fd > 0) {
                tty.incRef();
            }
            fds.installAt(fd, tty, false);
        }
        terminal.control().attach(t.threadGroup());
    }

    /**
     * Gives {@code t} its root, working directory and {@code umask}, and {@code stdio} (host fds handed to the sentry,
     * -1 for none) as fds 0, 1 and 2; the files own the host fds from now on, even when this fails.
     */
    static void setUp(Task t, String cwd, int umask, int[] stdio) {
        FdTable fds = new FdTable();
        t.fdTable(fds); // first: the task's exit releases the table, and with it the fds, whatever happens next
        for (int fd = 0; fd < stdio.length; fd++) {
            if (stdio[fd] < 0) {
                continue;
            }
            try {
                fds.installAt(fd, HostFileDescription.of(stdio[fd], true), false);
            } catch (ErrnoException e) {
                for (int rest = fd; rest < stdio.length; rest++) {
                    if (stdio[rest] >= 0) {
                        dev.jvisor.abi.Host.close(stdio[rest]);
                    }
                }
                throw new SandboxException("fd " + fd + ": " + describe(e.errno()), 1);
            }
        }
        enter(t, cwd, umask);
    }

    private static void enter(Task t, String cwd, int umask) {
        try {
            t.fs(t.kernel().vfs().newFsContext(cwd, umask));
        } catch (ErrnoException e) {
            throw new SandboxException("working directory " + cwd + ": " + describe(e.errno()), 1);
        }
    }

    /** Finds and opens argv[0]: a path when it has a '/', else the first match along PATH. */
    static Executable resolve(Task t, SandboxSpec spec) {
        return resolve(t, spec.argv(), spec.env());
    }

    static Executable resolve(Task t, java.util.List<String> argv, java.util.List<String> env) {
        if (argv.isEmpty()) {
            throw new SandboxException("no command to run", 127);
        }
        String cmd = argv.get(0);
        if (cmd.isEmpty()) {
            throw new SandboxException("'': no such file or directory", 127);
        }
        if (cmd.indexOf('/') >= 0) {
            try {
                return open(t, cmd, cmd);
            } catch (ErrnoException e) {
                throw failure(cmd, e.errno());
            }
        }
        Errno found = null; // EACCES from a match that cannot run, reported if nothing better turns up
        for (String dir : path(env).split(":", -1)) {
            String candidate = (dir.isEmpty() ? "." : dir) + "/" + cmd;
            try {
                return open(t, candidate, cmd);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EACCES) {
                    found = Errno.EACCES;
                }
            }
        }
        if (found != null) {
            throw failure(cmd, found);
        }
        throw new SandboxException(cmd + ": command not found", 127);
    }

    private static Executable open(Task t, String path, String displayName) {
        VirtualFilesystem vfs = t.kernel().vfs();
        FileDescription f = vfs.openExecutable(t, t.fs().cwd(), path);
        String abs = vfs.pathname(f.path(), t.fs().root());
        return new Executable(f, path, abs, displayName);
    }

    private static String path(java.util.List<String> env) {
        for (String e : env) {
            if (e.startsWith("PATH=")) {
                return e.substring(5);
            }
        }
        return DEFAULT_PATH;
    }

    private static SandboxException failure(String cmd, Errno errno) {
        int status = errno == Errno.ENOENT || errno == Errno.ENOTDIR ? 127 : 126;
        return new SandboxException(cmd + ": " + describe(errno), status);
    }

    static String describe(Errno e) {
        return switch (e) {
            case ENOENT -> "no such file or directory";
            case ENOTDIR -> "not a directory";
            case EACCES -> "permission denied";
            case ELOOP -> "too many levels of symbolic links";
            case ENAMETOOLONG -> "file name too long";
            default -> e.description().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
