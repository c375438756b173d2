package dev.jvisor.gofer.client;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.MsgHdr;
import dev.jvisor.gofer.wire.Channel;
import dev.jvisor.gofer.wire.ChannelClosedException;
import dev.jvisor.gofer.wire.MalformedMessageException;
import dev.jvisor.gofer.wire.Protocol;
import dev.jvisor.gofer.wire.WireBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link GoferClient} over a connected Unix stream socket (see {@link Protocol}). One request is in flight at a
 * time: callers are serialized by a lock, so the round trip is one sendmsg and one or two recvmsg. A reply that
 * breaks the protocol, or a failed socket, makes the client unusable: every later call throws
 * {@link GoferException}.
 *
 * <p>Names travel as UTF-8; a host name that is not valid UTF-8 comes back with replacement characters (the
 * interface speaks Strings).
 */
public final class SocketGoferClient implements GoferClient {
    private final ReentrantLock lock = new ReentrantLock();
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final Channel ch;
    private final Fid root;
    // Guarded by lock.
    private int nextId = 1;
    private String broken;
    private boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();

    /** Takes ownership of {@code socketFd}, a connected stream socket to a gofer, and attaches to its root. */
    public SocketGoferClient(int socketFd) {
        this.fd = socketFd;
        this.ch = new Channel(socketFd, arena);
        Fid r;
        try {
            r = attach(0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.root = r;
    }

    @Override
    public Fid attach(int mount) {
        lock.lock();
        try {
            request(Protocol.ATTACH).putInt(mount);
            WireBuffer in = call(Protocol.ATTACH);
            return new Fid(in.getLong(), readAttr(in));
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** The socket (tests hand it to another process to keep the connection open). */
    int socketFd() {
        return fd;
    }

    @Override
    public Fid root() {
        return root;
    }

    @Override
    public Fid walk(Fid dir, String name) {
        byte[] n = nameBytes(name);
        lock.lock();
        try {
            request(Protocol.WALK).putLong(dir.id()).putName(n);
            WireBuffer in = call(Protocol.WALK);
            return new Fid(in.getLong(), readAttr(in));
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Fid> walkMany(Fid dir, List<String> names) {
        List<Fid> result = new ArrayList<>(names.size());
        Fid cur = dir;
        // Batches of WALK_MANY_MAX names; a batch that stops short (ENOENT, a symlink) ends the walk.
        for (int start = 0; start < names.size(); start += Protocol.WALK_MANY_MAX) {
            int end = Math.min(names.size(), start + Protocol.WALK_MANY_MAX);
            byte[][] batch = new byte[end - start][];
            int size = Protocol.HEADER + 8 + 2;
            for (int i = start; i < end; i++) {
                batch[i - start] = nameBytes(names.get(i));
                size += 2 + batch[i - start].length;
            }
            if (size > Protocol.MAX_FRAME) {
                throw Errno.ENAMETOOLONG.exception();
            }
            int got;
            lock.lock();
            try {
                WireBuffer out = request(Protocol.WALK_MANY).putLong(cur.id()).putU16(batch.length);
                for (byte[] b : batch) {
                    out.putName(b);
                }
                WireBuffer in = call(Protocol.WALK_MANY);
                got = in.getU16();
                for (int i = 0; i < got; i++) {
                    result.add(new Fid(in.getLong(), readAttr(in)));
                }
            } catch (MalformedMessageException e) {
                throw fail("short reply: " + e.getMessage());
            } finally {
                lock.unlock();
            }
            if (got < batch.length) {
                break;
            }
            cur = result.get(result.size() - 1);
            if (dev.jvisor.abi.FileMode.isLnk(cur.attr().mode())) {
                break; // a symlink ending a batch stops the walk as one inside it does
            }
        }
        return result;
    }

    @Override
    public FileAttr stat(Fid fid) {
        lock.lock();
        try {
            request(Protocol.STAT).putLong(fid.id());
            return readAttr(call(Protocol.STAT));
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int open(Fid fid, int flags) {
        lock.lock();
        try {
            request(Protocol.OPEN).putLong(fid.id()).putInt(flags);
            call(Protocol.OPEN);
            int hostFd = ch.takeFd();
            if (hostFd < 0) {
                throw fail("Open reply carried no descriptor");
            }
            return hostFd;
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String readlink(Fid fid) {
        lock.lock();
        try {
            request(Protocol.READLINK).putLong(fid.id());
            WireBuffer in = call(Protocol.READLINK);
            int n = in.getInt();
            if (n < 0 || n > Protocol.PATH_MAX) {
                throw fail("ReadLink reply of " + n + " bytes");
            }
            return in.getString(n);
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Dirent> readdir(Fid dir) {
        List<Dirent> result = new ArrayList<>();
        long cookie = 0;
        while (true) {
            lock.lock();
            try {
                request(Protocol.GETDENTS).putLong(dir.id()).putLong(cookie);
                WireBuffer in = call(Protocol.GETDENTS);
                int n = in.getInt();
                boolean eof = in.getU8() != 0;
                long next = in.getLong();
                for (int i = 0; i < n; i++) {
                    long ino = in.getLong();
                    int type = in.getU8();
                    result.add(new Dirent(in.getName(), ino, type));
                }
                if (eof) {
                    return result;
                }
                if (next == cookie && n == 0) {
                    throw fail("Getdents made no progress at cookie " + cookie);
                }
                cookie = next;
            } catch (MalformedMessageException e) {
                throw fail("short reply: " + e.getMessage());
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public Created create(Fid dir, String name, int flags, int mode, int uid, int gid) {
        byte[] n = nameBytes(name);
        lock.lock();
        try {
            request(Protocol.CREATEAT).putLong(dir.id()).putName(n).putInt(flags).putInt(mode).putInt(uid)
                    .putInt(gid);
            WireBuffer in = call(Protocol.CREATEAT);
            Fid f = new Fid(in.getLong(), readAttr(in));
            int hostFd = ch.takeFd();
            if (hostFd < 0) {
                throw fail("CreateAt reply without a descriptor");
            }
            return new Created(f, hostFd);
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Fid mkdir(Fid dir, String name, int mode, int uid, int gid) {
        byte[] n = nameBytes(name);
        lock.lock();
        try {
            request(Protocol.MKDIRAT).putLong(dir.id()).putName(n).putInt(mode).putInt(uid).putInt(gid);
            WireBuffer in = call(Protocol.MKDIRAT);
            return new Fid(in.getLong(), readAttr(in));
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Fid symlink(Fid dir, String name, String target, int uid, int gid) {
        byte[] n = nameBytes(name);
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        if (t.length >= Protocol.PATH_MAX) {
            throw Errno.ENAMETOOLONG.exception();
        }
        lock.lock();
        try {
            request(Protocol.SYMLINKAT).putLong(dir.id()).putName(n).putInt(uid).putInt(gid).putName(t);
            WireBuffer in = call(Protocol.SYMLINKAT);
            return new Fid(in.getLong(), readAttr(in));
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Fid link(Fid file, Fid dir, String name) {
        byte[] n = nameBytes(name);
        lock.lock();
        try {
            request(Protocol.LINKAT).putLong(file.id()).putLong(dir.id()).putName(n);
            WireBuffer in = call(Protocol.LINKAT);
            return new Fid(in.getLong(), readAttr(in));
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unlink(Fid dir, String name, int flags) {
        byte[] n = nameBytes(name);
        lock.lock();
        try {
            request(Protocol.UNLINKAT).putLong(dir.id()).putName(n).putInt(flags);
            call(Protocol.UNLINKAT);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void rename(Fid oldDir, String oldName, Fid newDir, String newName, int flags) {
        byte[] o = nameBytes(oldName);
        byte[] n = nameBytes(newName);
        lock.lock();
        try {
            request(Protocol.RENAMEAT).putLong(oldDir.id()).putName(o).putLong(newDir.id()).putName(n)
                    .putInt(flags);
            call(Protocol.RENAMEAT);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FileAttr setStat(Fid fid, SetStat s) {
        lock.lock();
        try {
            request(Protocol.SETSTAT).putLong(fid.id()).putInt(s.mask()).putInt(s.mode()).putInt(s.uid())
                    .putInt(s.gid()).putLong(s.size()).putLong(s.atimeSec()).putLong(s.atimeNsec())
                    .putLong(s.mtimeSec()).putLong(s.mtimeNsec());
            return readAttr(call(Protocol.SETSTAT));
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] statfs(Fid fid) {
        lock.lock();
        try {
            request(Protocol.STATFS).putLong(fid.id());
            WireBuffer in = call(Protocol.STATFS);
            if (in.remaining() != Protocol.STATFS_SIZE) {
                throw fail("StatFS reply of " + in.remaining() + " bytes");
            }
            byte[] b = new byte[Protocol.STATFS_SIZE];
            MemorySegment.copy(in.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, in.skip(b.length), b, 0,
                    b.length);
            return b;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clunk(Fid fid) {
        lock.lock();
        try {
            request(Protocol.CLUNK).putLong(fid.id());
            call(Protocol.CLUNK);
        } catch (MalformedMessageException e) {
            throw fail("short reply: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the socket; the gofer sees the end of stream and exits. A call blocked on the gofer is woken by the
     * shutdown and fails with {@link GoferException}.
     */
    @Override
    public void close() {
        if (closing.getAndSet(true)) {
            return;
        }
        Host.shutdown(fd, MsgHdr.SHUT_RDWR);
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                ch.closeReceivedFds();
                Host.close(fd);
                arena.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private static byte[] nameBytes(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > Protocol.NAME_MAX) {
            throw Errno.ENAMETOOLONG.exception();
        }
        return b;
    }

    // Preconditions for the two below: lock held.

    private WireBuffer request(int type) {
        if (closed) {
            throw new GoferException("gofer client is closed");
        }
        if (broken != null) {
            throw new GoferException("gofer connection is broken: " + broken);
        }
        return ch.begin(nextId, type);
    }

    /** Sends the request built in the output buffer; returns the input positioned at a success payload. */
    private WireBuffer call(int type) {
        int id = nextId++;
        try {
            ch.send(-1);
            if (!ch.receive()) {
                throw fail("gofer closed the connection");
            }
        } catch (ChannelClosedException | MalformedMessageException e) {
            throw fail(Protocol.typeName(type) + ": " + e.getMessage());
        }
        if (ch.id() != id) {
            throw fail("reply id " + ch.id() + " to request " + id);
        }
        int status = ch.typeOrStatus();
        if (type != Protocol.OPEN && type != Protocol.CREATEAT && ch.receivedFds() > 0) {
            throw fail(Protocol.typeName(type) + " reply carried descriptors");
        }
        if (status != 0) {
            Errno e = Errno.of(status);
            throw (e != null ? e : Errno.EIO).exception();
        }
        return ch.in();
    }

    private GoferException fail(String why) {
        broken = why;
        ch.closeReceivedFds();
        return new GoferException(why);
    }

    private static FileAttr readAttr(WireBuffer in) {
        return new FileAttr(in.getLong(), in.getLong(), (int) in.getLong(), in.getLong(), (int) in.getLong(),
                (int) in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(),
                in.getLong(), in.getLong());
    }
}
