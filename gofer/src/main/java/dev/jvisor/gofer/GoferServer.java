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

    private final Channel ch;
    private final HostTree tree;
    private final FidTable fids = new FidTable();
    // Scratch for request parsing; owned by the connection's thread.
    private final int[] nameLen = new int[1];

    private GoferServer(Channel ch, HostTree tree) {
        this.ch = ch;
        this.tree = tree;
    }

    /**
     * Serves the connection on {@code socketFd} over the tree at {@code rootPath} until the socket closes, then
     * closes it. Returns {@link #EXIT_OK} after an orderly close, {@link #EXIT_ERROR} when the root cannot be
     * opened or a malformed message made the gofer drop the connection. Never throws for bad input.
     */
    public static int serve(int socketFd, String rootPath, boolean readonly) {
        HostTree tree;
        try {
            tree = HostTree.open(rootPath, readonly);
        } catch (IllegalStateException e) {
            Log.warn("gofer: " + e.getMessage());
            Host.close(socketFd);
            return EXIT_ERROR;
        }
        Log.info("gofer: serving " + rootPath + (readonly ? " read-only" : "") + " on fd " + socketFd);
        try (Arena arena = Arena.ofConfined(); tree) {
            GoferServer server = new GoferServer(new Channel(socketFd, arena), tree);
            return server.run();
        } finally {
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
            case Protocol.ATTACH -> attach(id);
            case Protocol.WALK -> walk(id, in.getLong());
            case Protocol.WALK_MANY -> walkMany(id, in.getLong());
            case Protocol.STAT -> stat(id, in.getLong());
            case Protocol.OPEN -> open(id, in.getLong(), in.getInt());
            case Protocol.READLINK -> readlink(id, in.getLong());
            case Protocol.GETDENTS -> getdents(id, in.getLong(), in.getLong());
            case Protocol.CLUNK -> clunk(id, in.getLong());
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

    private void attach(int id) {
        requireEnd(Protocol.ATTACH);
        int fd = tree.dupRoot();
        if (fd < 0) {
            error(id, fd);
            return;
        }
        replyNewFid(id, fd);
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
        int fd = tree.walk(parent.fd(), parent.type(), ch.in().segment(), off, nameLen[0]);
        if (fd < 0) {
            error(id, fd);
            return;
        }
        replyNewFid(id, fd);
    }

    /** Attach and Walk's reply: {@code fd} (now owned by the fid table) becomes a fid, sent with its attributes. */
    private void replyNewFid(int id, int fd) {
        int r = tree.fstat(fd);
        if (r < 0) {
            Host.close(fd);
            error(id, r);
            return;
        }
        long fid = fids.add(fd, Stat.mode(tree.stat()) & FileMode.S_IFMT);
        WireBuffer out = ch.begin(id, 0);
        out.putLong(fid);
        putAttr(out, tree.stat());
        ch.send(-1);
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
            long child = fids.add(fd, type);
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
        int fd = tree.open(node.fd(), node.type(), flags);
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

    private static void putAttr(WireBuffer out, MemorySegment st) {
        out.putLong(Stat.dev(st)).putLong(Stat.ino(st)).putLong(Stat.mode(st) & 0xffffffffL)
                .putLong(Stat.nlink(st)).putLong(Stat.uid(st) & 0xffffffffL).putLong(Stat.gid(st) & 0xffffffffL)
                .putLong(Stat.rdev(st)).putLong(Stat.size(st)).putLong(Stat.blksize(st)).putLong(Stat.blocks(st))
                .putLong(HostTree.ns(st, Stat.ATIME)).putLong(HostTree.ns(st, Stat.MTIME))
                .putLong(HostTree.ns(st, Stat.CTIME));
    }
}
