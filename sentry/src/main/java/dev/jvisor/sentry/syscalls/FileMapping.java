package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;

/**
 * Finds the open file behind an mmap(2) fd. The caller owns the returned reference and must decRef it.
 * The open-mode checks of mmap(2) (EACCES for a file not open for reading, or not open for writing with
 * MAP_SHARED and PROT_WRITE) are the caller's.
 */
final class FileMapping {
    private FileMapping() {}

    static FileDescription lookup(Task t, int fd) {
        FileDescription f = t.fdTable().get(fd);
        if (f == null) {
            throw Errno.EBADF.exception();
        }
        return f;
    }
}
