package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import java.util.Arrays;

/**
 * A task's file descriptor table: fd → open file description, plus FD_CLOEXEC per fd. New fds take the lowest
 * free number; the RLIMIT_NOFILE soft limit passed by the caller bounds them (EMFILE).
 *
 * <p>Guarded by this. Descriptions are released (decRef) only after the lock is dropped, since releasing one
 * may make host calls.
 */
public final class FdTable {
    private FileDescription[] files = new FileDescription[64];
    private boolean[] cloexec = new boolean[64];
    private int lowestFree; // a hint: no free fd lies below it
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger(1);

    /** Installs {@code fd} at the lowest free number {@code >= minFd} below {@code limit}; takes over its reference. */
    public synchronized int install(FileDescription fd, boolean closeOnExec, int minFd, long limit) {
        if (minFd < 0 || minFd >= limit) {
            return (int) (minFd < 0 ? Errno.EINVAL.ret() : Errno.EMFILE.ret());
        }
        int n = Math.max(minFd, lowestFree);
        while (n < files.length && files[n] != null) {
            n++;
        }
        if (n >= limit) {
            return (int) Errno.EMFILE.ret();
        }
        grow(n);
        files[n] = fd;
        cloexec[n] = closeOnExec;
        if (minFd <= lowestFree) {
            lowestFree = n + 1;
        }
        return n;
    }

    /** Installs {@code fd} at exactly {@code n} (boot-time stdio), closing what was there; takes over its reference. */
    public void installAt(int n, FileDescription fd, boolean closeOnExec) {
        FileDescription replaced;
        synchronized (this) {
            grow(n);
            replaced = files[n];
            files[n] = fd;
            cloexec[n] = closeOnExec;
        }
        if (replaced != null) {
            replaced.decRef();
        }
    }

    /** Installs at the lowest free number, bounded by {@code limit} (RLIMIT_NOFILE). */
    public int install(FileDescription fd, boolean closeOnExec, long limit) {
        return install(fd, closeOnExec, 0, limit);
    }

    /** The description at {@code fd} with a reference taken for the caller (who must decRef it), or null. */
    public synchronized FileDescription get(int fd) {
        if (fd < 0 || fd >= files.length || files[fd] == null) {
            return null;
        }
        FileDescription f = files[fd];
        f.incRef();
        return f;
    }

    /** Whether {@code fd} is open. */
    public synchronized boolean isOpen(int fd) {
        return fd >= 0 && fd < files.length && files[fd] != null;
    }

    /** FD_CLOEXEC of {@code fd}, or -EBADF. */
    public synchronized int getCloexec(int fd) {
        if (!isOpen(fd)) {
            return (int) Errno.EBADF.ret();
        }
        return cloexec[fd] ? 1 : 0;
    }

    /** Sets FD_CLOEXEC of {@code fd}; 0 or -EBADF. */
    public synchronized int setCloexec(int fd, boolean on) {
        if (!isOpen(fd)) {
            return (int) Errno.EBADF.ret();
        }
        cloexec[fd] = on;
        return 0;
    }

    /** close(2): removes {@code fd} and drops its reference. 0 or -EBADF. */
    public int close(int fd) {
        FileDescription f;
        synchronized (this) {
            if (!isOpen(fd)) {
                return (int) Errno.EBADF.ret();
            }
            f = files[fd];
            files[fd] = null;
            cloexec[fd] = false;
            if (fd < lowestFree) {
                lowestFree = fd;
            }
        }
        f.decRef();
        return 0;
    }

    /**
     * dup2(2)/dup3(2) core: makes {@code newFd} refer to the description of {@code oldFd}, closing what was
     * there. Returns newFd, -EBADF for a bad oldFd or a newFd outside [0, limit).
     */
    public int dupTo(int oldFd, int newFd, boolean closeOnExec, long limit) {
        FileDescription replaced;
        synchronized (this) {
            if (!isOpen(oldFd) || newFd < 0 || newFd >= limit) {
                return (int) Errno.EBADF.ret();
            }
            FileDescription f = files[oldFd];
            grow(newFd);
            replaced = files[newFd];
            if (replaced == f) {
                replaced = null;
            } else {
                f.incRef();
                files[newFd] = f;
            }
            cloexec[newFd] = closeOnExec;
        }
        if (replaced != null) {
            replaced.decRef();
        }
        return newFd;
    }

    /** dup(2)/F_DUPFD core: a new fd {@code >= minFd} for the description of {@code oldFd}. */
    public int dup(int oldFd, int minFd, boolean closeOnExec, long limit) {
        FileDescription f = get(oldFd);
        if (f == null) {
            return (int) Errno.EBADF.ret();
        }
        int n = install(f, closeOnExec, minFd, limit);
        if (n < 0) {
            f.decRef();
        }
        return n;
    }

    /** A copy for fork(2): same descriptions, each with one more reference. */
    public synchronized FdTable fork() {
        FdTable t = new FdTable();
        t.files = files.clone();
        t.cloexec = cloexec.clone();
        t.lowestFree = lowestFree;
        for (FileDescription f : t.files) {
            if (f != null) {
                f.incRef();
            }
        }
        return t;
    }

    /** execve(2): closes every fd marked FD_CLOEXEC. */
    public void closeOnExec() {
        for (int fd = 0; ; fd++) {
            synchronized (this) {
                if (fd >= files.length) {
                    return;
                }
                if (files[fd] == null || !cloexec[fd]) {
                    continue;
                }
            }
            close(fd);
        }
    }

    /** Closes everything (the task's exit). */
    public void releaseAll() {
        FileDescription[] old;
        synchronized (this) {
            old = files;
            files = new FileDescription[64];
            cloexec = new boolean[64];
            lowestFree = 0;
        }
        for (FileDescription f : old) {
            if (f != null) {
                f.decRef();
            }
        }
    }

    /** The open fds in increasing order (for /proc/pid/fd). */
    public synchronized int[] openFds() {
        int[] out = new int[files.length];
        int n = 0;
        for (int i = 0; i < files.length; i++) {
            if (files[i] != null) {
                out[n++] = i;
            }
        }
        return Arrays.copyOf(out, n);
    }

    // ---- sharing between tasks (CLONE_FILES) ----

    /** Adds a task sharing this table. */
    public FdTable retain() {
        users.incrementAndGet();
        return this;
    }

    /** Tasks sharing this table. */
    public int users() {
        return users.get();
    }

    /** Drops a sharing task; the last one closes every fd. */
    public void release() {
        if (users.decrementAndGet() == 0) {
            releaseAll();
        }
    }

    private void grow(int fd) {
        if (fd >= files.length) {
            int len = Math.max(files.length * 2, fd + 1);
            files = Arrays.copyOf(files, len);
            cloexec = Arrays.copyOf(cloexec, len);
        }
    }
}
