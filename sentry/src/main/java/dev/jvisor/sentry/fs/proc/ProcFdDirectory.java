package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.util.ArrayList;
import java.util.List;

/**
 * /proc/[pid]/fd: one symlink per open fd, whose target is the file's path as the reader sees it (or a name
 * such as "pipe:[7]" for a file with no path). Following one re-walks that path, so a file since renamed or
 * with no path does not resolve, unlike Linux's magic links.
 */
final class ProcFdDirectory extends Inode {
    private final ProcFilesystem proc;
    private final Task leader;

    ProcFdDirectory(ProcFilesystem proc, long ino, Task leader, int uid, int gid) {
        super(proc, ino, FileMode.S_IFDIR | 0500, uid, gid);
        this.proc = proc;
        this.leader = leader;
    }

    @Override
    public Inode lookup(String name) {
        int fd = name.equals("0") ? 0 : ProcPidDirectory.parsePid(name);
        FdTable table = leader.fdTable();
        if (fd < 0 || table == null || !table.isOpen(fd)) {
            throw Errno.ENOENT.exception();
        }
        return new ProcLink(proc, ino() + 0x1000L * (fd + 1), uid(), gid(), reader -> target(reader, fd),
                reader -> jump(fd));
    }

    /** The open file itself: its path, or for a file with none, an anonymous path that can be reopened. */
    private VirtualDentry jump(int fd) {
        FdTable table = leader.fdTable();
        FileDescription f = table == null ? null : table.get(fd);
        if (f == null) {
            return null;
        }
        try {
            if (f.path() != null) {
                return f.path();
            }
            Inode reopen = f.reopenableInode();
            if (reopen == null) {
                // Linux can reopen anything; a description that cannot be reopened here fails cleanly.
                throw Errno.ENXIO.exception();
            }
            return proc.vfs().anonymous(reopen, f.anonymousName());
        } finally {
            f.decRef();
        }
    }

    private String target(Task reader, int fd) {
        FdTable table = leader.fdTable();
        FileDescription f = table == null ? null : table.get(fd);
        if (f == null) {
            return null;
        }
        try {
            VirtualDentry vd = f.path();
            if (vd == null) {
                return f.anonymousName();
            }
            VirtualDentry from = reader != null && reader.fs() != null ? reader.fs().root() : proc.vfs().root();
            return proc.vfs().pathname(vd, from);
        } finally {
            f.decRef();
        }
    }

    @Override
    public List<DirEntry> readdir() {
        FdTable table = leader.fdTable();
        List<DirEntry> out = new ArrayList<>();
        if (table != null) {
            for (int fd : table.openFds()) {
                out.add(new DirEntry(Integer.toString(fd), ino() + 0x1000L * (fd + 1), FileMode.DT_LNK));
            }
        }
        return out;
    }

    @Override
    public boolean cachesChildren() {
        return false;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        throw new AssertionError("directories are opened by the VFS");
    }
}
