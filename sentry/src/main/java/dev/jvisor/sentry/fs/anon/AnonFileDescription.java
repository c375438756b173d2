package dev.jvisor.sentry.fs.anon;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Kstat;
import java.lang.foreign.MemorySegment;

/**
 * A file with no path: eventfd, timerfd, epoll. What they share, as Linux's anon_inode files do: no positional
 * I/O and no seeking (ESPIPE), read and write only where the subclass gives them (else EINVAL), fstat of the
 * anonymous inode, "anon_inode:[name]" in /proc/self/fd, and no O_LARGEFILE in F_GETFL.
 */
public abstract class AnonFileDescription extends FileDescription {
    private final String anonymousName;

    /** @param name what /proc/self/fd shows between the brackets ("eventfd", "timerfd", "eventpoll") */
    protected AnonFileDescription(int flags, String name) {
        super(null, flags);
        this.anonymousName = "anon_inode:[" + name + "]";
    }

    @Override
    public int flags() {
        return super.flags() & ~Fcntl.O_LARGEFILE;
    }

    @Override
    public long read(MemorySegment dst) {
        return Errno.EINVAL.ret();
    }

    @Override
    public long write(MemorySegment src) {
        return Errno.EINVAL.ret();
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long seek(long off, int whence) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public long stat(Kstat k) {
        return AnonInode.stat(k);
    }

    @Override
    public String anonymousName() {
        return anonymousName;
    }
}
