package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.SegmentCopy;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.MemorySegment;

/**
 * A gofer file open for I/O: the host fd the gofer donated, read with pread(2) straight into the destination
 * (for workload memory, the memory file's sentry mapping), so a read costs one host syscall; in a writable bind
 * written with pwrite(2) the same way, and synced with fsync(2) on it.
 */
public final class GoferFileDescription extends FileDescription {
    private final int hostFd;
    private final long size;

    /** {@code size} is the fixed size of an unchanging file, or -1 to ask the host (a bind). */
    GoferFileDescription(VirtualDentry vd, int flags, int hostFd, long size) {
        super(vd, flags);
        this.hostFd = hostFd;
        this.size = size;
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        if (offset < 0) {
            return Errno.EINVAL.ret();
        }
        if (dst.isNative()) {
            return Host.pread(hostFd, dst.address(), dst.byteSize(), offset);
        }
        return SegmentCopy.fill(dst, seg -> Host.pread(hostFd, seg.address(), seg.byteSize(), offset));
    }

    @Override
    public long pwrite(MemorySegment src, long offset) {
        if (!writable()) {
            return Errno.EBADF.ret();
        }
        if (offset < 0) {
            return Errno.EINVAL.ret();
        }
        // No attribute refresh here: stat in a bind asks the gofer anyway, and size() asks the host fd.
        return src.isNative() ? Host.pwrite(hostFd, src.address(), src.byteSize(), offset)
                : SegmentCopy.drain(src, seg -> Host.pwrite(hostFd, seg.address(), seg.byteSize(), offset));
    }

    @Override
    public long size() {
        // SEEK_END on the host fd gives the size without a stat buffer; the description's offset is its own.
        return size >= 0 ? size : Host.lseek(hostFd, 0, dev.jvisor.abi.Fcntl.SEEK_END);
    }

    /** fsync(2) / fdatasync(2) on the donated fd. */
    @Override
    public long sync(boolean dataOnly) {
        return dataOnly ? Host.fdatasync(hostFd) : Host.fsync(hostFd);
    }

    @Override
    protected void release() {
        Host.close(hostFd);
    }
}
