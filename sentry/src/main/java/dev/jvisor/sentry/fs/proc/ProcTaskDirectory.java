package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SyntheticFile;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.util.ArrayList;
import java.util.List;

/** /proc/[pid]/task: one directory per live thread of the process, named by TID, each with stat, comm, status. */
final class ProcTaskDirectory extends Inode {
    private static final String[] NAMES = {"stat", "comm", "status"};

    private final ProcFilesystem proc;
    private final ProcessTable.Process process;

    ProcTaskDirectory(ProcFilesystem proc, ProcessTable.Process process, long ino, int uid, int gid) {
        super(proc, ino, FileMode.S_IFDIR | 0555, uid, gid);
        this.proc = proc;
        this.process = process;
    }

    /** The inode number of entry {@code slot} of thread {@code tid}'s directory (slot 0 is the directory). */
    static long inoOf(int tid, int slot) {
        return (2L << 32) + ((long) tid << 8) + slot;
    }

    @Override
    public Inode lookup(String name) {
        int tid = ProcPidDirectory.parsePid(name);
        for (Task t : process.leader().threadGroup().tasks()) {
            if (t.tid() == tid) {
                return new Thread(t);
            }
        }
        throw Errno.ENOENT.exception();
    }

    @Override
    public List<DirEntry> readdir() {
        List<DirEntry> out = new ArrayList<>();
        for (Task t : process.leader().threadGroup().tasks()) {
            out.add(new DirEntry(Integer.toString(t.tid()), inoOf(t.tid(), 0), FileMode.DT_DIR));
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

    /** /proc/[pid]/task/[tid]. */
    private final class Thread extends Inode {
        private final Task task;

        Thread(Task task) {
            super(proc, inoOf(task.tid(), 0), FileMode.S_IFDIR | 0555, ProcTaskDirectory.this.uid(),
                    ProcTaskDirectory.this.gid());
            this.task = task;
        }

        @Override
        public Inode lookup(String name) {
            int tid = task.tid();
            for (int slot = 1; slot <= NAMES.length; slot++) {
                if (NAMES[slot - 1].equals(name)) {
                    return new SyntheticFile(proc, inoOf(tid, slot), 0444, uid(), gid(), switch (name) {
                        case "stat" -> () -> ProcPidDirectory.bytes(
                                ProcStat.line(task, tid, proc.bootNanos(), process.startNanos()));
                        case "comm" -> () -> ProcPidDirectory.bytes(task.comm() + "\n");
                        case "status" -> () -> ProcPidDirectory.status(proc, task, tid);
                        default -> throw new AssertionError(name);
                    });
                }
            }
            throw Errno.ENOENT.exception();
        }

        @Override
        public List<DirEntry> readdir() {
            List<DirEntry> out = new ArrayList<>(NAMES.length);
            for (int slot = 1; slot <= NAMES.length; slot++) {
                out.add(new DirEntry(NAMES[slot - 1], inoOf(task.tid(), slot), FileMode.DT_REG));
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
}
