package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.Dirent64;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An open directory of any filesystem. The listing is taken from {@link Inode#readdir} at the first
 * getdents64(2) and again after a seek to 0 (rewinddir), with "." and ".." first. The file offset is the index
 * of the next entry, and each record's d_off is the offset of the one after it.
 */
public class DirectoryFileDescription extends FileDescription {
    private List<DirEntry> listing; // guarded by offsetLock()

    public DirectoryFileDescription(VirtualDentry vd, int flags) {
        super(vd, flags);
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        return Errno.EISDIR.ret();
    }

    @Override
    public long read(MemorySegment dst) {
        return Errno.EISDIR.ret();
    }

    @Override
    public long size() {
        return inode().size();
    }

    @Override
    protected void onSeek(long newOffset) {
        if (newOffset == 0) {
            listing = null;
        }
    }

    @Override
    public long seek(long off, int whence) {
        // A directory offset is an entry index; SEEK_END has no meaning for it (ext4 allows it, tmpfs does not).
        if (whence != dev.jvisor.abi.Fcntl.SEEK_SET && whence != dev.jvisor.abi.Fcntl.SEEK_CUR) {
            return Errno.EINVAL.ret();
        }
        return super.seek(off, whence);
    }

    @Override
    public long getdents(MemorySegment buf) {
        synchronized (offsetLock()) {
            if (listing == null) {
                listing = snapshot();
            }
            long pos = offset();
            long used = 0;
            while (pos < listing.size()) {
                DirEntry e = listing.get((int) pos);
                byte[] name = e.name().getBytes(VirtualFilesystem.NAME_CHARSET);
                int len = Dirent64.recLen(name.length);
                if (used + len > buf.byteSize()) {
                    if (used == 0) {
                        return Errno.EINVAL.ret();
                    }
                    break;
                }
                used += Dirent64.write(buf, used, e.ino(), pos + 1, e.type(), name);
                pos++;
            }
            setOffset(pos);
            return used;
        }
    }

    private List<DirEntry> snapshot() {
        VirtualDentry vd = path();
        Inode self = vd.inode();
        Dentry parentDentry = vd.dentry().parent();
        long parentIno = parentDentry != null ? parentDentry.inode().ino() : self.ino();
        List<DirEntry> entries = self.readdir();
        List<DirEntry> all = new ArrayList<>(entries.size() + 2);
        all.add(new DirEntry(".", self.ino(), FileMode.DT_DIR));
        all.add(new DirEntry("..", parentIno, FileMode.DT_DIR));
        all.addAll(entries);
        return all;
    }
}
