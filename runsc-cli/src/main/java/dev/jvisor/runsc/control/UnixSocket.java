package dev.jvisor.runsc.control;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.MsgHdr;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Unix stream socket on a raw fd, for what Java's channels cannot do: pass descriptors (SCM_RIGHTS) and hand
 * the connection itself to another process (the exec helper). Reads and writes block the calling thread (use
 * platform threads: a blocked downcall pins a virtual thread's carrier).
 */
public final class UnixSocket implements AutoCloseable {
    /** Most descriptors one message may carry. */
    static final int MAX_FDS = 8;

    private final int fd;
    private boolean closed;

    UnixSocket(int fd) {
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    /** A new socket listening on {@code path} (a stale file there is replaced by the caller). */
    static UnixSocket listen(Path path) throws IOException {
        int s = check(Host.socket(MsgHdr.AF_UNIX, MsgHdr.SOCK_STREAM | MsgHdr.SOCK_CLOEXEC, 0), "socket");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = address(a, path);
            check(Host.bind(s, addr, (int) addr.byteSize()), "bind " + path);
            check(Host.listen(s, 64), "listen");
        } catch (IOException e) {
            Host.close(s);
            throw e;
        }
        return new UnixSocket(s);
    }

    /** Connects to {@code path}. */
    public static UnixSocket connect(Path path) throws IOException {
        int s = check(Host.socket(MsgHdr.AF_UNIX, MsgHdr.SOCK_STREAM | MsgHdr.SOCK_CLOEXEC, 0), "socket");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = address(a, path);
            int r;
            do {
                r = Host.connect(s, addr, (int) addr.byteSize());
            } while (r == Errno.EINTR.ret());
            check(r, "connect " + path);
        } catch (IOException e) {
            Host.close(s);
            throw e;
        }
        return new UnixSocket(s);
    }

    /** Waits for the next connection; null once {@link #shutdown} ended the listening. */
    UnixSocket accept() throws IOException {
        while (true) {
            int c = Host.accept4(fd, MsgHdr.SOCK_CLOEXEC);
            if (c >= 0) {
                return new UnixSocket(c);
            }
            if (c == Errno.EINTR.ret() || c == Errno.ECONNABORTED.ret()) {
                continue;
            }
            if (c == Errno.EINVAL.ret()) {
                return null; // shut down
            }
            throw new IOException("accept: " + Errno.name(-c));
        }
    }

    private static MemorySegment address(Arena a, Path path) throws IOException {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length > 107) {
            throw new IOException("socket path too long: " + path);
        }
        MemorySegment addr = a.allocate(2 + p.length + 1);
        addr.set(JAVA_SHORT, 0, (short) MsgHdr.AF_UNIX);
        MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
        return addr;
    }

    /** Writes all of {@code data}, the first bytes carrying {@code fds} (none when empty). */
    public void send(byte[] data, int[] fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            MemorySegment msg = a.allocate(MsgHdr.SIZE, 8);
            MemorySegment iov = a.allocate(MsgHdr.IOVEC_SIZE, 8);
            MemorySegment control = a.allocate(MsgHdr.cmsgSpace(4L * MAX_FDS), 8);
            long controlLen = 0;
            if (fds.length > 0) {
                if (fds.length > MAX_FDS) {
                    throw new IllegalArgumentException("too many fds: " + fds.length);
                }
                controlLen = MsgHdr.cmsgSpace(4L * fds.length);
                control.set(java.lang.foreign.ValueLayout.JAVA_LONG, MsgHdr.CMSG_LEN_OFF, MsgHdr.cmsgLen(4L * fds.length));
                control.set(JAVA_INT, MsgHdr.CMSG_LEVEL, MsgHdr.SOL_SOCKET);
                control.set(JAVA_INT, MsgHdr.CMSG_TYPE, MsgHdr.SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, MsgHdr.CMSG_HDR + 4L * i, fds[i]);
                }
            }
            long off = 0;
            while (off < data.length || controlLen > 0) {
                MsgHdr.set(msg, iov, buf.address() + off, data.length - off, control, controlLen);
                long n = Host.sendmsg(fd, msg, MsgHdr.MSG_NOSIGNAL);
                if (n == Errno.EINTR.ret()) {
                    continue;
                }
                if (n < 0) {
                    throw new IOException("sendmsg: " + Errno.name((int) -n));
                }
                off += n;
                controlLen = 0; // the descriptors went with the first byte
            }
        }
    }

    /**
     * Reads one line (up to '\n', which is not returned) one byte at a time, so nothing after it is consumed
     * (the rest of the stream may belong to another process); descriptors that arrive with it go to {@code fds}.
     * Returns null at EOF before any byte.
     */
    public String readLine(List<Integer> fds, int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(1);
            MemorySegment msg = a.allocate(MsgHdr.SIZE, 8);
            MemorySegment iov = a.allocate(MsgHdr.IOVEC_SIZE, 8);
            MemorySegment control = a.allocate(MsgHdr.cmsgSpace(4L * MAX_FDS), 8);
            while (true) {
                MsgHdr.set(msg, iov, b.address(), 1, control, control.byteSize());
                long n = Host.recvmsg(fd, msg, MsgHdr.MSG_CMSG_CLOEXEC);
                if (n == Errno.EINTR.ret()) {
                    continue;
                }
                if (n < 0) {
                    throw new IOException("recvmsg: " + Errno.name((int) -n));
                }
                MsgHdr.forEachRight(control, MsgHdr.controlLen(msg), fds::add);
                if ((MsgHdr.flags(msg) & MsgHdr.MSG_CTRUNC) != 0) {
                    throw new IOException("too many descriptors");
                }
                if (n == 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                byte c = b.get(JAVA_BYTE, 0);
                if (c == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(c);
                if (line.size() > max) {
                    throw new IOException("line too long");
                }
            }
        }
    }

    /** Writes all of {@code data}. */
    public void write(byte[] data) throws IOException {
        send(data, new int[0]);
    }

    /** Writes a 32-bit int, little-endian, in one write (the exec helper reads it whole). */
    public void writeInt(int v) throws IOException {
        write(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
    }

    /** Reads a 32-bit little-endian int; returns null at EOF (or a connection reset). */
    public Integer readInt() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(4);
            long got = 0;
            while (got < 4) {
                long n = Host.read(fd, b.address() + got, 4 - got);
                if (n == Errno.EINTR.ret()) {
                    continue;
                }
                if (n == 0 || n == Errno.ECONNRESET.ret()) {
                    return null;
                }
                if (n < 0) {
                    throw new IOException("read: " + Errno.name((int) -n));
                }
                got += n;
            }
            return b.get(JAVA_INT, 0);
        }
    }

    /** shutdown(SHUT_RDWR): a thread blocked reading it (or accepting on it) wakes up. */
    public void shutdown() {
        Host.shutdown(fd, MsgHdr.SHUT_RDWR);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Host.close(fd);
        }
    }

    /** Closes the descriptors received with a message that nobody took. */
    static void closeAll(List<Integer> fds) {
        for (int f : fds) {
            Host.close(f);
        }
    }

    private static int check(int r, String what) throws IOException {
        if (r < 0) {
            throw new IOException(what + ": " + Errno.name(-r));
        }
        return r;
    }

    /** Descriptors received: a list the reader fills. */
    static List<Integer> fdList() {
        return new ArrayList<>();
    }
}
