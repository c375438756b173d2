package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.gofer.client.GoferClient;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * TEST ONLY: a GoferClient served in-process from a host directory, so the VFS can be tested without a gofer
 * process. It never follows a symlink when walking, like the real gofer. Counts opens, to check that the
 * sentry closes what it is given.
 */
public final class DirectoryGoferClient implements GoferClient {
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Path> fids = new ConcurrentHashMap<>();
    private final Fid root;
    public final AtomicInteger opens = new AtomicInteger();
    public final AtomicInteger walks = new AtomicInteger();

    public DirectoryGoferClient(Path dir) {
        this.root = fid(dir.toAbsolutePath());
    }

    private Fid fid(Path p) {
        long id = nextId.getAndIncrement();
        fids.put(id, p);
        return new Fid(id, attr(p));
    }

    private static FileAttr attr(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            return new FileAttr(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
                    (Integer) a.get("mode"), ((Number) a.get("nlink")).longValue(), (Integer) a.get("uid"),
                    (Integer) a.get("gid"), ((Number) a.get("rdev")).longValue(), (Long) a.get("size"), 4096,
                    ((Long) a.get("size") + 511) / 512, ns((FileTime) a.get("lastAccessTime")),
                    ns((FileTime) a.get("lastModifiedTime")), ns((FileTime) a.get("ctime")));
        } catch (NoSuchFileException e) {
            throw Errno.ENOENT.exception();
        } catch (IOException e) {
            throw Errno.EIO.exception();
        }
    }

    private static long ns(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private Path path(Fid f) {
        Path p = fids.get(f.id());
        if (p == null) {
            throw Errno.EBADF.exception();
        }
        return p;
    }

    @Override
    public Fid root() {
        return root;
    }

    @Override
    public Fid walk(Fid dir, String name) {
        walks.incrementAndGet();
        Path d = path(dir);
        if (!FileMode.isDir(dir.attr().mode())) {
            throw Errno.ENOTDIR.exception();
        }
        return fid(d.resolve(name));
    }

    @Override
    public List<Fid> walkMany(Fid dir, List<String> names) {
        List<Fid> out = new ArrayList<>();
        Fid cur = dir;
        for (String n : names) {
            try {
                cur = walk(cur, n);
            } catch (RuntimeException e) {
                break;
            }
            out.add(cur);
        }
        return out;
    }

    @Override
    public FileAttr stat(Fid fid) {
        return attr(path(fid));
    }

    @Override
    public int open(Fid fid, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path(fid).toString());
            int fd = Host.openat(Fcntl.AT_FDCWD, p, flags | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
            if (fd < 0) {
                throw Errno.of(-fd).exception();
            }
            opens.incrementAndGet();
            return fd;
        }
    }

    @Override
    public String readlink(Fid fid) {
        try {
            return Files.readSymbolicLink(path(fid)).toString();
        } catch (IOException e) {
            throw Errno.EINVAL.exception();
        }
    }

    @Override
    public List<Dirent> readdir(Fid dir) {
        List<Dirent> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(path(dir))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                FileAttr at = attr(p);
                out.add(new Dirent(p.getFileName().toString(), at.ino(), FileMode.dtype(at.mode())));
            }
        } catch (IOException e) {
            throw Errno.EIO.exception();
        }
        return out;
    }

    @Override
    public void clunk(Fid fid) {
        fids.remove(fid.id());
    }

    @Override
    public void close() {
        fids.clear();
    }

    // The double serves one read-only tree: the write messages are refused as a read-only gofer refuses them.

    @Override
    public Fid attach(int mount) {
        if (mount != 0) {
            throw Errno.ENOENT.exception();
        }
        return root;
    }

    @Override
    public Created create(Fid dir, String name, int flags, int mode, int uid, int gid) {
        throw Errno.EROFS.exception();
    }

    @Override
    public Fid mkdir(Fid dir, String name, int mode, int uid, int gid) {
        throw Errno.EROFS.exception();
    }

    @Override
    public Fid symlink(Fid dir, String name, String target, int uid, int gid) {
        throw Errno.EROFS.exception();
    }

    @Override
    public Fid link(Fid file, Fid dir, String name) {
        throw Errno.EROFS.exception();
    }

    @Override
    public void unlink(Fid dir, String name, int flags) {
        throw Errno.EROFS.exception();
    }

    @Override
    public void rename(Fid oldDir, String oldName, Fid newDir, String newName, int flags) {
        throw Errno.EROFS.exception();
    }

    @Override
    public FileAttr setStat(Fid fid, SetStat s) {
        throw Errno.EROFS.exception();
    }

    @Override
    public byte[] statfs(Fid fid) {
        throw Errno.ENOSYS.exception();
    }
}
