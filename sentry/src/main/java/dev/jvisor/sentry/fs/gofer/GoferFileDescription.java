package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.SegmentCopy;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.MemorySegment;

/**
 * A gofer file open for reading: the host fd the gofer donated, read with pread(2) straight into the
 * destination (for workload memory, the memory file's sentry mapping), so a read costs one host syscall.
 */
public final class GoferFileDescription extends FileDescription {
    private final int hostFd;
    private final long size;

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
        return Errno.EBADF.ret();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    protected void release() {
        Host.close(hostFd);
    }
}
