package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirEntry;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.FsContext;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.SyntheticFile;
import dev.jvisor.sentry.vfs.VirtualDentry;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.util.ArrayList;
import java.util.List;

/**
 * /proc/[pid]: exe, cwd and root links, cmdline, comm, status, stat, maps, limits, mounts and the fd and task
 * directories. Owned by the
 * process's effective uid and gid, as Linux shows it for a dumpable process. Inode numbers derive from the PID
 * so they stay stable across lookups.
 */
final class ProcPidDirectory extends Inode {
    private static final String[] NAMES = {"exe", "cwd", "root", "cmdline", "comm", "status", "mounts", "fd", "stat",
        "maps", "task", "limits"};

    private final ProcFilesystem proc;
    private final ProcessTable.Process process;

    ProcPidDirectory(ProcFilesystem proc, ProcessTable.Process process) {
        super(proc, inoOf(process.leader().pid(), 0), FileMode.S_IFDIR | 0555, process.leader().creds().euid,
                process.leader().creds().egid);
        this.proc = proc;
        this.process = process;
    }

    /** The inode number of entry {@code slot} of process {@code pid} (slot 0 is the directory). */
    static long inoOf(int pid, int slot) {
        return (1L << 32) + ((long) pid << 8) + slot;
    }

    /** A decimal PID without sign or leading zeros, or -1. */
    static int parsePid(String name) {
        if (name.isEmpty() || name.length() > 9 || name.charAt(0) == '0') {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    @Override
    public Inode lookup(String name) {
        Task leader = process.leader();
        int pid = leader.pid();
        for (int slot = 1; slot <= NAMES.length; slot++) {
            if (!NAMES[slot - 1].equals(name)) {
                continue;
            }
            long ino = inoOf(pid, slot);
            return switch (name) {
                case "exe" -> new ProcLink(proc, ino, uid(), gid(), t -> process.exe());
                case "cwd" -> new ProcLink(proc, ino, uid(), gid(), t -> pathOf(t, leader, false),
                        t -> leader.fs() == null ? null : leader.fs().cwd());
                case "root" -> new ProcLink(proc, ino, uid(), gid(), t -> pathOf(t, leader, true),
                        t -> leader.fs() == null ? null : leader.fs().root());
                case "cmdline" -> file(ino, this::cmdline);
                case "comm" -> file(ino, () -> bytes(leader.comm() + "\n"));
                case "status" -> file(ino, () -> status(proc, leader, pid));
                case "stat" -> file(ino, () -> bytes(ProcStat.line(leader, pid, proc.bootNanos(),
                        process.startNanos(), true)));
                case "maps" -> file(ino, this::maps);
                case "limits" -> file(ino, () -> bytes(ProcSystemFiles.limits(leader.threadGroup().rlimits())));
                case "task" -> new ProcTaskDirectory(proc, process, ino, uid(), gid());
                case "mounts" -> file(ino, proc::mountsText);
                case "fd" -> new ProcFdDirectory(proc, ino, leader, uid(), gid());
                default -> throw new AssertionError(name);
            };
        }
        throw Errno.ENOENT.exception();
    }

    private SyntheticFile file(long ino, java.util.function.Supplier<byte[]> contents) {
        return new SyntheticFile(proc, ino, 0444, uid(), gid(), contents);
    }

    @Override
    public List<DirEntry> readdir() {
        List<DirEntry> out = new ArrayList<>(NAMES.length);
        int pid = process.leader().pid();
        for (int slot = 1; slot <= NAMES.length; slot++) {
            String n = NAMES[slot - 1];
            int type = switch (n) {
                case "exe", "cwd", "root" -> FileMode.DT_LNK;
                case "fd", "task" -> FileMode.DT_DIR;
                default -> FileMode.DT_REG;
            };
            out.add(new DirEntry(n, inoOf(pid, slot), type));
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

    /** The process's cwd or root as a path seen from the reader's root. */
    private String pathOf(Task reader, Task leader, boolean rootDir) {
        FsContext fs = leader.fs();
        if (fs == null) {
            return null;
        }
        VirtualDentry from = reader != null && reader.fs() != null ? reader.fs().root() : proc.vfs().root();
        return proc.vfs().pathname(rootDir ? fs.root() : fs.cwd(), from);
    }

    private byte[] cmdline() {
        StringBuilder sb = new StringBuilder();
        for (String a : process.argv()) {
            sb.append(a).append('\0');
        }
        return bytes(sb.toString());
    }

    /** The VMAs of the process's address space, file mappings named by their path from the reader's root. */
    private byte[] maps() {
        var mm = ProcStat.mm(process.leader());
        if (mm == null) {
            return new byte[0];
        }
        Task reader = Task.current();
        VirtualDentry from = reader != null && reader.fs() != null ? reader.fs().root() : proc.vfs().root();
        return bytes(ProcMaps.text(mm.mappings(), v -> v.file().path() == null ? null
                : proc.vfs().pathname(v.file().path(), from)));
    }

    /** /proc/[pid]/status, or task/[tid]/status with {@code id} the TID. */
    static byte[] status(ProcFilesystem proc, Task t, int id) {
        Credentials c = t.creds();
        FsContext fs = t.fs();
        StringBuilder sb = new StringBuilder();
        sb.append("Name:\t").append(t.comm()).append('\n');
        if (fs != null) {
            sb.append("Umask:\t").append(String.format("%04o", fs.umask())).append('\n');
        }
        sb.append("State:\t").append(ProcStat.stateName(ProcStat.state(t))).append('\n');
        sb.append("Tgid:\t").append(t.pid()).append('\n');
        sb.append("Ngid:\t0\n");
        sb.append("Pid:\t").append(id).append('\n');
        sb.append("PPid:\t").append(t.threadGroup().ppid()).append('\n');
        sb.append("TracerPid:\t0\n");
        sb.append("Uid:\t").append(c.uid).append('\t').append(c.euid).append('\t').append(c.suid).append('\t')
                .append(c.fsuid).append('\n');
        sb.append("Gid:\t").append(c.gid).append('\t').append(c.egid).append('\t').append(c.sgid).append('\t')
                .append(c.fsgid).append('\n');
        sb.append("Groups:\t");
        for (int g : c.groups) {
            sb.append(g).append(' ');
        }
        sb.append('\n');
        var mm = ProcStat.mm(t);
        if (mm != null) {
            // VmRSS is approximate: every accessible mapped page counts as resident.
            sb.append(String.format("VmSize:\t%8d kB\n", ProcStat.virtualSize(mm) / 1024));
            sb.append(String.format("VmRSS:\t%8d kB\n", ProcStat.residentSize(mm) / 1024));
        }
        sb.append("Threads:\t").append(t.threadGroup().taskCount()).append('\n');
        sb.append("SigBlk:\t").append(String.format("%016x", t.signalMask())).append('\n');
        return bytes(sb.toString());
    }

    static byte[] bytes(String s) {
        return s.getBytes(VirtualFilesystem.NAME_CHARSET);
    }
}
