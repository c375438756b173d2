package dev.jvisor.sentry.fs.tmpfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A tmpfs regular file. Contents live in a growable Java array for now (so a file is at most about 2 GiB:
 * EFBIG beyond); moving them into the memory file comes with shared file mappings. Guarded by this.
 */
public final class TmpfsFile extends Inode {
    static final long MAX_SIZE = Integer.MAX_VALUE - 16;
    private byte[] data = new byte[0];
    private long size;

    public TmpfsFile(Filesystem fs, int perm, int uid, int gid) {
        super(fs, fs.nextIno(), FileMode.S_IFREG | (perm & 07777), uid, gid);
    }

    @Override
    public synchronized long size() {
        return size;
    }

    /** Blocks as tmpfs counts them: whole 4 KiB pages, in 512-byte units (holes are not tracked). */
    @Override
    public void stat(dev.jvisor.sentry.vfs.Kstat st) {
        super.stat(st);
        st.blocks = (st.size + 4095) / 4096 * 8;
    }

    /** Copies up to {@code dst.byteSize()} bytes at {@code off} into {@code dst}. */
    public synchronized long read(MemorySegment dst, long off) {
        if (off < 0) {
            return Errno.EINVAL.ret();
        }
        if (off >= size) {
            return 0;
        }
        int n = (int) Math.min(dst.byteSize(), size - off);
        MemorySegment.copy(data, (int) off, dst, JAVA_BYTE, 0, n);
        return n;
    }

    /** Writes {@code src} at {@code off}, growing the file (a gap reads as zeros). */
    public synchronized long write(MemorySegment src, long off) {
        if (off < 0) {
            return Errno.EINVAL.ret();
        }
        long len = src.byteSize();
        if (len == 0) {
            return 0;
        }
        if (off >= MAX_SIZE) {
            return Errno.EFBIG.ret();
        }
        int n = (int) Math.min(len, MAX_SIZE - off);
        ensureCapacity(off + n);
        MemorySegment.copy(src, JAVA_BYTE, 0, data, (int) off, n);
        size = Math.max(size, off + n);
        touchModified();
        return n;
    }

    @Override
    public synchronized void truncate(long newSize) {
        if (newSize < 0) {
            throw Errno.EINVAL.exception();
        }
        if (newSize > MAX_SIZE) {
            throw Errno.EFBIG.exception();
        }
        if (newSize < size) {
            Arrays.fill(data, (int) newSize, (int) size, (byte) 0);
        } else {
            ensureCapacity(newSize);
        }
        size = newSize;
        touchModified();
    }

    private void ensureCapacity(long needed) {
        if (needed > data.length) {
            long cap = Math.max(needed, Math.min(MAX_SIZE, Math.max(64, (long) data.length * 2)));
            data = Arrays.copyOf(data, (int) cap);
        }
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        return new TmpfsFileDescription(vd, flags, this);
    }
}
