package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import java.lang.foreign.MemorySegment;

/**
 * An O_PATH description: it names a file (for fchdir, fstat, the *at calls) but allows no I/O; read, write and
 * getdents64 on it fail with EBADF, as in Linux.
 */
final class PathFileDescription extends FileDescription {
    PathFileDescription(VirtualDentry vd, int flags) {
        super(vd, flags);
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        return Errno.EBADF.ret();
    }

    @Override
    public long size() {
        return inode().size();
    }

    @Override
    public long getdents(MemorySegment buf) {
        return Errno.EBADF.ret();
    }

    @Override
    public long seek(long off, int whence) {
        return Errno.EBADF.ret();
    }
}
