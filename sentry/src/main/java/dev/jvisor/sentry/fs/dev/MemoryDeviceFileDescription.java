package dev.jvisor.sentry.fs.dev;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.SegmentCopy;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.MemorySegment;

/**
 * An open memory device. null reads EOF; zero and full read zeros; random and urandom read the host's
 * getrandom(2) (both are the same non-blocking pool since Linux 5.6). Writes are swallowed, except that full
 * fails them with ENOSPC. Offsets mean nothing: lseek returns 0.
 */
final class MemoryDeviceFileDescription extends FileDescription {
    private final DeviceInode.Kind kind;

    MemoryDeviceFileDescription(VirtualDentry vd, int flags, DeviceInode.Kind kind) {
        super(vd, flags);
        this.kind = kind;
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        return switch (kind) {
            case NULL -> 0;
            case ZERO, FULL -> {
                dst.fill((byte) 0);
                yield dst.byteSize();
            }
            case RANDOM, URANDOM -> dst.isNative()
                    ? Host.getrandom(dst.address(), dst.byteSize(), 0)
                    : SegmentCopy.fill(dst, seg -> Host.getrandom(seg.address(), seg.byteSize(), 0));
        };
    }

    @Override
    public long read(MemorySegment dst) {
        return pread(dst, 0);
    }

    @Override
    public long pwrite(MemorySegment src, long offset) {
        return kind == DeviceInode.Kind.FULL ? Errno.ENOSPC.ret() : src.byteSize();
    }

    @Override
    public long write(MemorySegment src) {
        return pwrite(src, 0);
    }

    /** /dev/null reads end of file without touching the buffer. */
    @Override
    public long readToUser(MemoryManager mm, long addr, long count) {
        return kind == DeviceInode.Kind.NULL ? 0 : super.readToUser(mm, addr, count);
    }

    /** /dev/null swallows and /dev/full refuses a write without reading the buffer. */
    @Override
    public long writeFromUser(MemoryManager mm, long addr, long count) {
        return switch (kind) {
            case NULL -> count;
            case FULL -> Errno.ENOSPC.ret();
            default -> super.writeFromUser(mm, addr, count);
        };
    }

    @Override
    public long seek(long off, int whence) {
        return 0;
    }

    @Override
    public long size() {
        return 0;
    }
}
