package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SyntheticFile;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /proc itself: fixed entries plus one directory per live process. Children are not cached (PIDs come and go). */
final class ProcRootDirectory extends Inode {
    private final ProcFilesystem proc;
    private final Map<String, Inode> fixed = new LinkedHashMap<>();

    ProcRootDirectory(ProcFilesystem proc) {
        super(proc, proc.nextIno(), FileMode.S_IFDIR | 0555, 0, 0);
        this.proc = proc;
        fixed.put("self", new ProcLink(proc, proc.nextIno(), 0, 0,
                t -> t == null ? null : Integer.toString(t.pid())));
        fixed.put("mounts", new ProcLink(proc, proc.nextIno(), 0, 0, t -> "self/mounts"));
        fixed.put("uptime", new SyntheticFile(proc, 0444, proc::uptimeText));
        fixed.put("version", new SyntheticFile(proc, 0444, proc::versionText));
        fixed.put("cpuinfo", new SyntheticFile(proc, 0444, proc::cpuinfoText));
        fixed.put("meminfo", new SyntheticFile(proc, 0444, proc::meminfoText));
        fixed.put("stat", new SyntheticFile(proc, 0444, proc::statText));
        fixed.put("loadavg", new SyntheticFile(proc, 0444, proc::loadavgText));
    }

    @Override
    public Inode lookup(String name) {
        Inode i = fixed.get(name);
        if (i != null) {
            return i;
        }
        int pid = ProcPidDirectory.parsePid(name);
        if (pid > 0) {
            ProcessTable.Process p = proc.processes().find(pid);
            if (p != null) {
                return new ProcPidDirectory(proc, p);
            }
        }
        throw Errno.ENOENT.exception();
    }

    @Override
    public List<DirEntry> readdir() {
        List<DirEntry> out = new ArrayList<>();
        for (Map.Entry<String, Inode> e : fixed.entrySet()) {
            out.add(new DirEntry(e.getKey(), e.getValue().ino(), FileMode.dtype(e.getValue().mode())));
        }
        for (int pid : proc.processes().pids()) {
            out.add(new DirEntry(Integer.toString(pid), ProcPidDirectory.inoOf(pid, 0), FileMode.DT_DIR));
        }
        return out;
    }

    @Override
    public boolean cachesChildren() {
        return false;
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        throw new AssertionError("directories are opened by the VFS");
    }
}
