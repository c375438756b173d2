package dev.jvisor.gofer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Stat;
import dev.jvisor.gofer.wire.Channel;
import dev.jvisor.gofer.wire.ChannelClosedException;
import dev.jvisor.gofer.wire.MalformedMessageException;
import dev.jvisor.gofer.wire.Protocol;
import dev.jvisor.gofer.wire.WireBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The gofer's server loop: one connection, one request at a time, until the peer closes the socket. See
 * {@link Protocol} for the frames and {@link HostTree} for how files are reached.
 */
public final class GoferServer {
    /** Exit status after an orderly close by the peer. */
    public static final int EXIT_OK = 0;
    /** Exit status when start-up failed or the connection was closed for a protocol error. */
    public static final int EXIT_ERROR = 1;

    /** One tree to serve: the root (mount 0) or a bind (a directory or a regular file). */
    public record Export(String path, boolean readonly) {}

    private final Channel ch;
    // Mount index -> tree; 0 is the root.
    private final HostTree[] trees;
    private final FidTable fids = new FidTable();
    // New files are given the sentry's uid/gid when the gofer may chown (it runs as root).
    private final boolean chownNew = Host.geteuid() == 0;
    // Scratch for request parsing; owned by the connection's thread.
    private final int[] nameLen = new int[1];
    private final int[] nameLen2 = new int[1];
    private final int[] pathFd = new int[1];

    private GoferServer(Channel ch, HostTree[] trees) {
        this.ch = ch;
        this.trees = trees;
    }

    /**
     * Serves the connection on {@code socketFd} over the tree at {@code rootPath} until the socket closes, then
     * closes it. Returns {@link #EXIT_OK} after an orderly close, {@link #EXIT_ERROR} when the root cannot be
     * opened or a malformed message made the gofer drop the connection. Never throws for bad input.
     */
    public static int serve(int socketFd, String rootPath, boolean readonly) {
        return serve(socketFd, java.util.List.of(new Export(rootPath, readonly)));
    }

    /**
     * Serves {@code exports} on one connection: export i is mount i of Attach. One socket for all mounts keeps
     * the gofer single-threaded; each fid remembers its mount, which is all a write needs (EROFS, EXDEV).
     */
    public static int serve(int socketFd, java.util.List<Export> exports) {
        HostTree[] trees = new HostTree[exports.size()];
        for (int i = 0; i < trees.length; i++) {
            Export e = exports.get(i);
            try {
                trees[i] = HostTree.open(e.path(), e.readonly(), i > 0);
            } catch (IllegalStateException ex) {
                Log.warn("gofer: " + ex.getMessage());
                for (int j = 0; j < i; j++) {
                    trees[j].close();
                }
                Host.close(socketFd);
                return EXIT_ERROR;
            }
            Log.info("gofer: mount " + i + ": " + e.path() + (e.readonly() ? " read-only" : ""));
        }
        Log.info("gofer: serving " + trees.length + " mount(s) on fd " + socketFd);
        try (Arena arena = Arena.ofConfined()) {
            GoferServer server = new GoferServer(new Channel(socketFd, arena), trees);
            return server.run();
        } finally {
            for (HostTree t : trees) {
                t.close();
            }
            Host.close(socketFd);
        }
    }

    private int run() {
        int requests = 0;
        try {
            while (ch.receive()) {
                requests++;
                if (ch.receivedFds() > 0) {
                    throw new MalformedMessageException("a request carried descriptors");
                }
                handle(ch.id(), ch.typeOrStatus());
            }
            Log.info("gofer: connection closed after " + requests + " requests");
            return EXIT_OK;
        } catch (MalformedMessageException e) {
            Log.warn("gofer: malformed message after " + requests + " requests, closing the connection: "
                    + e.getMessage());
            return EXIT_ERROR;
        } catch (ChannelClosedException e) {
            Log.warn("gofer: connection failed: " + e.getMessage());
            return EXIT_ERROR;
        } finally {
            ch.closeReceivedFds();
            fids.closeAll();
        }
    }

    private void handle(int id, int type) {
        WireBuffer in = ch.in();
        switch (type) {
            case Protocol.ATTACH -> attach(id, in.getInt());
            case Protocol.WALK -> walk(id, in.getLong());
            case Protocol.WALK_MANY -> walkMany(id, in.getLong());
            case Protocol.STAT -> stat(id, in.getLong());
            case Protocol.OPEN -> open(id, in.getLong(), in.getInt());
            case Protocol.READLINK -> readlink(id, in.getLong());
            case Protocol.GETDENTS -> getdents(id, in.getLong(), in.getLong());
            case Protocol.CLUNK -> clunk(id, in.getLong());
            case Protocol.CREATEAT -> createat(id, in.getLong());
            case Protocol.MKDIRAT -> mkdirat(id, in.getLong());
            case Protocol.SYMLINKAT -> symlinkat(id, in.getLong());
            case Protocol.LINKAT -> linkat(id, in.getLong(), in.getLong());
            case Protocol.UNLINKAT -> unlinkat(id, in.getLong());
            case Protocol.RENAMEAT -> renameat(id, in.getLong());
            case Protocol.SETSTAT -> setstat(id, in.getLong());
            case Protocol.STATFS -> statfs(id, in.getLong());
            default -> throw new MalformedMessageException("unknown message type " + type);
        }
    }

    /** The request must have been read to its end: trailing bytes mean the peer and we disagree on the format. */
    private void requireEnd(int type) {
        if (ch.in().remaining() != 0) {
            throw new MalformedMessageException(Protocol.typeName(type) + " has " + ch.in().remaining()
                    + " trailing bytes");
        }
    }

    private void error(int id, int negErrno) {
        ch.begin(id, -negErrno);
        ch.send(-1);
    }

    private void attach(int id, int mount) {
        requireEnd(Protocol.ATTACH);
        if (mount < 0 || mount >= trees.length) {
            error(id, -Errno.ENOENT.number());
            return;
        }
        int fd = trees[mount].dupRoot();
        if (fd < 0) {
            error(id, fd);
            return;
        }
        replyNewFid(id, fd, mount, -1);
    }

    /** Reads a name from the request and checks it; returns its offset in the input buffer, or -errno. */
    private long nameAt(int[] lenOut) {
        WireBuffer in = ch.in();
        int len = in.getU16();
        int off = in.skip(len);
        lenOut[0] = len;
        int r = HostTree.checkName(in.segment(), off, len);
        return r < 0 ? r : off;
    }

    private void walk(int id, long fid) {
        long off = nameAt(nameLen);
        requireEnd(Protocol.WALK);
        FidTable.Node parent = fids.get(fid);
        if (parent == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        if (off < 0) {
            error(id, (int) off);
            return;
        }
        HostTree tree = trees[parent.mount()];
        int fd = tree.walk(parent.fd(), parent.type(), ch.in().segment(), off, nameLen[0]);
        if (fd < 0) {
            error(id, fd);
            return;
        }
        replyNewFid(id, fd, parent.mount(), -1);
    }

    /**
     * The reply of every message that makes a fid: O_PATH {@code fd} (now owned by the fid table) becomes a fid
     * of {@code mount}, sent with its attributes, and {@code ioFd} (closed here) rides along unless negative.
     */
    private void replyNewFid(int id, int fd, int mount, int ioFd) {
        HostTree tree = trees[mount];
        int r = tree.fstat(fd);
        if (r < 0) {
            Host.close(fd);
            if (ioFd >= 0) {
                Host.close(ioFd);
            }
            error(id, r);
            return;
        }
        long fid = fids.add(fd, Stat.mode(tree.stat()) & FileMode.S_IFMT, mount);
        WireBuffer out = ch.begin(id, 0);
        out.putLong(fid);
        putAttr(out, tree.stat());
        try {
            ch.send(ioFd);
        } finally {
            if (ioFd >= 0) {
                Host.close(ioFd);
            }
        }
    }

    private final int[] offs = new int[Protocol.WALK_MANY_MAX];
    private final int[] lens = new int[Protocol.WALK_MANY_MAX];
    private final long[] walked = new long[Protocol.WALK_MANY_MAX];

    private void walkMany(int id, long fid) {
        WireBuffer in = ch.in();
        int n = in.getU16();
        if (n > Protocol.WALK_MANY_MAX) {
            throw new MalformedMessageException("WalkMany of " + n + " names (at most " + Protocol.WALK_MANY_MAX
                    + ")");
        }
        int bad = 0;
        for (int i = 0; i < n; i++) {
            long off = nameAt(nameLen);
            if (off < 0 && bad == 0) {
                bad = (int) off;
            }
            offs[i] = (int) Math.max(off, 0);
            lens[i] = nameLen[0];
        }
        requireEnd(Protocol.WALK_MANY);
        FidTable.Node cur = fids.get(fid);
        if (cur == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        if (bad < 0) {
            error(id, bad);
            return;
        }
        WireBuffer out = ch.begin(id, 0);
        int countAt = out.position();
        out.putU16(0);
        int m = 0;
        HostTree tree = trees[cur.mount()];
        for (int i = 0; i < n; i++) {
            int fd = tree.walk(cur.fd(), cur.type(), in.segment(), offs[i], lens[i]);
            int r = fd < 0 ? fd : tree.fstat(fd);
            if (fd >= 0 && r < 0) {
                Host.close(fd);
            }
            if (r == -Errno.ENOENT.number()) {
                break;
            }
            if (r < 0) {
                for (int j = 0; j < m; j++) {
                    fids.remove(walked[j]);
                }
                error(id, r);
                return;
            }
            int type = Stat.mode(tree.stat()) & FileMode.S_IFMT;
            long child = fids.add(fd, type, cur.mount());
            walked[m++] = child;
            out.putLong(child);
            putAttr(out, tree.stat());
            cur = fids.get(child);
            if (type == FileMode.S_IFLNK) {
                break; // the sentry resolves symlinks itself
            }
        }
        out.segment().set(JAVA_SHORT, countAt, (short) m);
        ch.send(-1);
    }

    private void stat(int id, long fid) {
        requireEnd(Protocol.STAT);
        FidTable.Node node = fids.get(fid);
        if (node == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        HostTree tree = trees[node.mount()];
        int r = tree.fstat(node.fd());
        if (r < 0) {
            error(id, r);
            return;
        }
        putAttr(ch.begin(id, 0), tree.stat());
        ch.send(-1);
    }

    private void open(int id, long fid, int flags) {
        requireEnd(Protocol.OPEN);
        FidTable.Node node = fids.get(fid);
        if (node == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        int fd = trees[node.mount()].open(node.fd(), node.type(), flags);
        if (fd < 0) {
            error(id, fd);
            return;
        }
        try {
            ch.begin(id, 0);
            ch.send(fd);
        } finally {
            Host.close(fd);
        }
    }

    private void readlink(int id, long fid) {
        requireEnd(Protocol.READLINK);
        FidTable.Node node = fids.get(fid);
        if (node == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        HostTree tree = trees[node.mount()];
        int n = tree.readlink(node.fd(), node.type());
        if (n < 0) {
            error(id, n);
            return;
        }
        WireBuffer out = ch.begin(id, 0);
        out.putInt(n);
        out.putBytes(tree.linkBuffer(), 0, n);
        ch.send(-1);
    }

    private void getdents(int id, long fid, long cookie) {
        requireEnd(Protocol.GETDENTS);
        FidTable.Node node = fids.get(fid);
        if (node == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        HostTree tree = trees[node.mount()];
        int n = tree.getdents(node.fd(), node.type(), cookie);
        if (n < 0) {
            error(id, n);
            return;
        }
        MemorySegment d = tree.direntBuffer();
        WireBuffer out = ch.begin(id, 0);
        int countAt = out.position();
        out.putInt(0).putU8(n == 0 ? 1 : 0);
        int cookieAt = out.position();
        out.putLong(cookie);
        int count = 0;
        long next = cookie;
        for (int off = 0; off < n; ) {
            long ino = d.get(JAVA_LONG, off);
            long dOff = d.get(JAVA_LONG, off + 8);
            int reclen = d.get(JAVA_SHORT, off + 16) & 0xffff;
            int dtype = d.get(JAVA_BYTE, off + 18) & 0xff;
            int nameOff = off + 19;
            int len = 0;
            while (nameOff + len < off + reclen && d.get(JAVA_BYTE, nameOff + len) != 0) {
                len++;
            }
            boolean dot = len == 1 && d.get(JAVA_BYTE, nameOff) == '.';
            boolean dotdot = len == 2 && d.get(JAVA_BYTE, nameOff) == '.' && d.get(JAVA_BYTE, nameOff + 1) == '.';
            if (!dot && !dotdot) {
                out.putLong(ino).putU8(dtype).putU16(len).putBytes(d, nameOff, len);
                count++;
            }
            next = dOff;
            off += reclen;
        }
        out.putIntAt(countAt, count);
        out.segment().set(JAVA_LONG.withByteAlignment(1), cookieAt, next);
        ch.send(-1);
    }

    private void clunk(int id, long fid) {
        requireEnd(Protocol.CLUNK);
        if (!fids.remove(fid)) {
            error(id, -Errno.EBADF.number());
            return;
        }
        ch.begin(id, 0);
        ch.send(-1);
    }

    // ---- writes ---------------------------------------------------------------------------------------------

    /** Gives a new file the sentry's owner when the gofer may (it runs as root); a failure is logged. */
    private void chownNew(int pathFd, int uid, int gid) {
        if (!chownNew) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            int r = Host.fchownat(pathFd, a.allocate(1), uid, gid,
                    dev.jvisor.abi.Fcntl.AT_EMPTY_PATH | dev.jvisor.abi.Fcntl.AT_SYMLINK_NOFOLLOW);
            if (r < 0) {
                Log.warn("gofer: chown of a new file to " + uid + ":" + gid + ": " + Errno.name(-r));
            }
        }
    }

    private void createat(int id, long dirFid) {
        long off = nameAt(nameLen);
        WireBuffer in = ch.in();
        int flags = in.getInt();
        int mode = in.getInt();
        int uid = in.getInt();
        int gid = in.getInt();
        requireEnd(Protocol.CREATEAT);
        FidTable.Node dir = fids.get(dirFid);
        if (dir == null || off < 0) {
            error(id, dir == null ? -Errno.EBADF.number() : (int) off);
            return;
        }
        int io = trees[dir.mount()].createat(dir.fd(), dir.type(), in.segment(), off, nameLen[0], flags, mode,
                pathFd);
        if (io < 0) {
            error(id, io);
            return;
        }
        chownNew(pathFd[0], uid, gid);
        replyNewFid(id, pathFd[0], dir.mount(), io);
    }

    private void mkdirat(int id, long dirFid) {
        long off = nameAt(nameLen);
        WireBuffer in = ch.in();
        int mode = in.getInt();
        int uid = in.getInt();
        int gid = in.getInt();
        requireEnd(Protocol.MKDIRAT);
        FidTable.Node dir = fids.get(dirFid);
        if (dir == null || off < 0) {
            error(id, dir == null ? -Errno.EBADF.number() : (int) off);
            return;
        }
        int fd = trees[dir.mount()].mkdirat(dir.fd(), dir.type(), in.segment(), off, nameLen[0], mode);
        if (fd < 0) {
            error(id, fd);
            return;
        }
        chownNew(fd, uid, gid);
        replyNewFid(id, fd, dir.mount(), -1);
    }

    private void symlinkat(int id, long dirFid) {
        long off = nameAt(nameLen);
        WireBuffer in = ch.in();
        int uid = in.getInt();
        int gid = in.getInt();
        int tlen = in.getU16();
        int toff = in.skip(tlen);
        requireEnd(Protocol.SYMLINKAT);
        FidTable.Node dir = fids.get(dirFid);
        if (dir == null || off < 0) {
            error(id, dir == null ? -Errno.EBADF.number() : (int) off);
            return;
        }
        if (tlen == 0 || tlen >= Protocol.PATH_MAX || hasNul(in.segment(), toff, tlen)) {
            error(id, tlen == 0 ? -Errno.ENOENT.number() : tlen >= Protocol.PATH_MAX
                    ? -Errno.ENAMETOOLONG.number() : -Errno.EINVAL.number());
            return;
        }
        int fd = trees[dir.mount()].symlinkat(dir.fd(), dir.type(), in.segment(), off, nameLen[0], toff, tlen);
        if (fd < 0) {
            error(id, fd);
            return;
        }
        chownNew(fd, uid, gid);
        replyNewFid(id, fd, dir.mount(), -1);
    }

    private static boolean hasNul(MemorySegment seg, long off, int len) {
        for (long i = 0; i < len; i++) {
            if (seg.get(JAVA_BYTE, off + i) == 0) {
                return true;
            }
        }
        return false;
    }

    private void linkat(int id, long fileFid, long dirFid) {
        long off = nameAt(nameLen);
        requireEnd(Protocol.LINKAT);
        FidTable.Node file = fids.get(fileFid);
        FidTable.Node dir = fids.get(dirFid);
        if (file == null || dir == null || off < 0) {
            error(id, file == null || dir == null ? -Errno.EBADF.number() : (int) off);
            return;
        }
        if (file.mount() != dir.mount()) {
            error(id, -Errno.EXDEV.number());
            return;
        }
        int fd = trees[dir.mount()].linkat(file.fd(), file.type(), dir.fd(), dir.type(), ch.in().segment(), off,
                nameLen[0]);
        if (fd < 0) {
            error(id, fd);
            return;
        }
        replyNewFid(id, fd, dir.mount(), -1);
    }

    private void unlinkat(int id, long dirFid) {
        long off = nameAt(nameLen);
        int flags = ch.in().getInt();
        requireEnd(Protocol.UNLINKAT);
        FidTable.Node dir = fids.get(dirFid);
        if (dir == null || off < 0) {
            error(id, dir == null ? -Errno.EBADF.number() : (int) off);
            return;
        }
        int r = trees[dir.mount()].unlinkat(dir.fd(), dir.type(), ch.in().segment(), off, nameLen[0], flags);
        if (r < 0) {
            error(id, r);
            return;
        }
        ch.begin(id, 0);
        ch.send(-1);
    }

    private void renameat(int id, long oldDirFid) {
        long off = nameAt(nameLen);
        long newDirFid = ch.in().getLong();
        long noff = nameAt(nameLen2);
        int flags = ch.in().getInt();
        requireEnd(Protocol.RENAMEAT);
        FidTable.Node oldDir = fids.get(oldDirFid);
        FidTable.Node newDir = fids.get(newDirFid);
        if (oldDir == null || newDir == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        if (off < 0 || noff < 0) {
            error(id, (int) Math.min(off, noff));
            return;
        }
        if (oldDir.mount() != newDir.mount()) {
            error(id, -Errno.EXDEV.number());
            return;
        }
        int r = trees[oldDir.mount()].renameat(oldDir.fd(), oldDir.type(), ch.in().segment(), off, nameLen[0],
                newDir.fd(), newDir.type(), noff, nameLen2[0], flags);
        if (r < 0) {
            error(id, r);
            return;
        }
        ch.begin(id, 0);
        ch.send(-1);
    }

    private void setstat(int id, long fid) {
        WireBuffer in = ch.in();
        int mask = in.getInt();
        int mode = in.getInt();
        int uid = in.getInt();
        int gid = in.getInt();
        long size = in.getLong();
        long aSec = in.getLong();
        long aNsec = in.getLong();
        long mSec = in.getLong();
        long mNsec = in.getLong();
        requireEnd(Protocol.SETSTAT);
        FidTable.Node node = fids.get(fid);
        if (node == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        HostTree tree = trees[node.mount()];
        int r = tree.setstat(node.fd(), node.type(), mask, mode, uid, gid, size, aSec, aNsec, mSec, mNsec);
        if (r >= 0) {
            r = tree.fstat(node.fd());
        }
        if (r < 0) {
            error(id, r);
            return;
        }
        putAttr(ch.begin(id, 0), tree.stat());
        ch.send(-1);
    }

    private void statfs(int id, long fid) {
        requireEnd(Protocol.STATFS);
        FidTable.Node node = fids.get(fid);
        if (node == null) {
            error(id, -Errno.EBADF.number());
            return;
        }
        HostTree tree = trees[node.mount()];
        int r = tree.statfs(node.fd());
        if (r < 0) {
            error(id, r);
            return;
        }
        ch.begin(id, 0).putBytes(tree.statfsBuffer(), 0, Protocol.STATFS_SIZE);
        ch.send(-1);
    }

    private static void putAttr(WireBuffer out, MemorySegment st) {
        out.putLong(Stat.dev(st)).putLong(Stat.ino(st)).putLong(Stat.mode(st) & 0xffffffffL)
                .putLong(Stat.nlink(st)).putLong(Stat.uid(st) & 0xffffffffL).putLong(Stat.gid(st) & 0xffffffffL)
                .putLong(Stat.rdev(st)).putLong(Stat.size(st)).putLong(Stat.blksize(st)).putLong(Stat.blocks(st))
                .putLong(HostTree.ns(st, Stat.ATIME)).putLong(HostTree.ns(st, Stat.MTIME))
                .putLong(HostTree.ns(st, Stat.CTIME));
    }
}
