package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * A read-only file whose contents are generated when it is opened (procfs and sysfs files). Like Linux's, it
 * reports size 0; a reader sees one consistent snapshot per open.
 */
public final class SyntheticFile extends Inode {
    private final Supplier<byte[]> contents;

    public SyntheticFile(Filesystem fs, int perm, Supplier<byte[]> contents) {
        this(fs, fs.nextIno(), perm, 0, 0, contents);
    }

    public SyntheticFile(Filesystem fs, long ino, int perm, int uid, int gid, Supplier<byte[]> contents) {
        super(fs, ino, FileMode.S_IFREG | (perm & 07777), uid, gid);
        this.contents = contents;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        return new Snapshot(vd, flags, contents.get());
    }

    @Override
    public void truncate(long size) {
        throw Errno.EACCES.exception();
    }

    /** The bytes taken at open. */
    private static final class Snapshot extends FileDescription {
        private final byte[] bytes;

        Snapshot(VirtualDentry vd, int flags, byte[] bytes) {
            super(vd, flags);
            this.bytes = bytes;
        }

        @Override
        public long pread(MemorySegment dst, long offset) {
            if (offset < 0) {
                return Errno.EINVAL.ret();
            }
            return SegmentCopy.copyOut(bytes, offset, dst);
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public long pwrite(MemorySegment src, long offset) {
            return Errno.EACCES.ret();
        }
    }
}
