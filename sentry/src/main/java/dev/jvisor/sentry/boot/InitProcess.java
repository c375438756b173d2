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
 * Prepares the sandbox's first task before it runs: its filesystem context and stdio, and the executable found
 * the way a shell's execvp finds it. Failures become {@link SandboxException}s with a shell's exit status: 127
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
        try {
            t.fs(vfs.newFsContext(spec.cwd(), 022));
        } catch (ErrnoException e) {
            throw new SandboxException("working directory " + spec.cwd() + ": " + describe(e.errno()), 1);
        }
        FdTable fds = new FdTable();
        if (terminal == null) {
            HostFileDescription.installStdio(fds);
        } else {
            terminal.start(t.kernel());
            FileDescription tty = vfs.open(t, t.fs().root(), "/dev/pts/0", Fcntl.O_RDWR | Fcntl.O_NOCTTY, 0);
            for (int fd = 0; fd <= 2; fd++) {
                if (fd > 0) {
                    tty.incRef();
                }
                fds.installAt(fd, tty, false);
            }
            terminal.control().attach(t.threadGroup());
        }
        t.fdTable(fds);
        vfs.procfs().kernelVersion(Kernel.UTS_RELEASE, Kernel.UTS_VERSION);
    }

    /** Finds and opens argv[0]: a path when it has a '/', else the first match along PATH. */
    static Executable resolve(Task t, SandboxSpec spec) {
        if (spec.argv().isEmpty()) {
            throw new SandboxException("no command to run", 127);
        }
        String cmd = spec.argv().get(0);
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
        for (String dir : path(spec).split(":", -1)) {
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

    private static String path(SandboxSpec spec) {
        for (String e : spec.env()) {
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
