package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.MemorySegment;

/** An open tmpfs regular file. */
public final class TmpfsFileDescription extends FileDescription {
    private final TmpfsFile file;

    public TmpfsFileDescription(VirtualDentry vd, int flags, TmpfsFile file) {
        super(vd, flags);
        this.file = file;
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        return file.read(dst, offset);
    }

    @Override
    public long pwrite(MemorySegment src, long offset) {
        return file.write(src, offset);
    }

    @Override
    public long size() {
        return file.size();
    }
}
