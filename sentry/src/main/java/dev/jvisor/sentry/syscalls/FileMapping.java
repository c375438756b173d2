package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;

/**
 * WIRING POINT for mmap(2) of files: finds the open file behind {@code fd} in the task's FdTable.
 *
 * <p>The FdTable belongs to package vfs, which is being written alongside; until this method is wired to it,
 * every file mapping fails with ENODEV ("the file cannot be mapped") and only MAP_ANONYMOUS works. Wiring it is
 * one line: look the fd up, throw {@code Errno.EBADF.exception()} if it is not open, return its description.
 * The caller then also needs (once FileDescription exposes them) the open mode checks of mmap(2): EACCES for a
 * file not open for reading, or not open for writing with MAP_SHARED and PROT_WRITE.
 */
final class FileMapping {
    private FileMapping() {}

    static FileDescription lookup(Task t, int fd) {
        if (fd < 0) {
            throw Errno.EBADF.exception();
        }
        throw Errno.ENODEV.exception();
    }
}
