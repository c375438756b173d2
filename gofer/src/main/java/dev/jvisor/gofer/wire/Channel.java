package dev.jvisor.gofer.wire;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.MsgHdr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One end of a gofer connection: a connected SOCK_STREAM Unix socket, an input and an output frame buffer, and
 * the msghdr/cmsg scratch to move frames and SCM_RIGHTS descriptors. Not thread-safe: the server has one
 * thread; the client holds its lock around each call.
 */
public final class Channel {
    /** Descriptors accepted in one frame; more are closed and the frame is malformed. */
    private static final int MAX_FDS = 4;

    private final int fd;
    private final WireBuffer in;
    private final WireBuffer out;
    private final MemorySegment msg;
    private final MemorySegment iov;
    private final MemorySegment control;
    private final long controlSize;
    private final int[] fds = new int[MAX_FDS];
    private int nfds;
    private boolean tooManyFds;

    /** Wraps {@code fd}; buffers come from {@code arena}, which must outlive the channel. */
    public Channel(int fd, Arena arena) {
        this.fd = fd;
        this.in = new WireBuffer(arena.allocate(Protocol.MAX_FRAME, 16));
        this.out = new WireBuffer(arena.allocate(Protocol.MAX_FRAME, 16));
        this.msg = arena.allocate(MsgHdr.SIZE, 8);
        this.iov = arena.allocate(MsgHdr.IOVEC_SIZE, 8);
        this.controlSize = MsgHdr.cmsgSpace(4L * MAX_FDS);
        this.control = arena.allocate(controlSize, 8);
    }

    public int fd() {
        return fd;
    }

    public WireBuffer in() {
        return in;
    }

    public WireBuffer out() {
        return out;
    }

    /** Starts an outgoing frame: reserves the length and writes id and type (or status). */
    public WireBuffer begin(int id, int typeOrStatus) {
        out.clear();
        out.putInt(0).putInt(id).putInt(typeOrStatus);
        return out;
    }

    /**
     * Reads one frame into {@link #in()}, positioned after the header. Returns false on an orderly end of stream
     * before the frame's first byte. Throws {@link MalformedMessageException} for a bad length, an end of stream
     * inside a frame, or unexpected descriptors handling; {@link ChannelClosedException} when the socket fails.
     * Descriptors that arrive are kept for {@link #takeFd()}.
     */
    public boolean receive() {
        closeReceivedFds();
        in.clear();
        if (!recvFully(0, Protocol.HEADER, true)) {
            return false;
        }
        int len = in.getIntAt(0);
        if (len < Protocol.HEADER || len > Protocol.MAX_FRAME) {
            throw new MalformedMessageException("frame length " + Integer.toUnsignedString(len) + " outside ["
                    + Protocol.HEADER + ", " + Protocol.MAX_FRAME + "]");
        }
        recvFully(Protocol.HEADER, len - Protocol.HEADER, false);
        if (tooManyFds) {
            throw new MalformedMessageException("more than " + MAX_FDS + " descriptors in one frame");
        }
        in.limit(len);
        in.position(Protocol.HEADER);
        return true;
    }

    /** The id of the frame just received. */
    public int id() {
        return in.getIntAt(4);
    }

    /** The type (request) or status (reply) of the frame just received. */
    public int typeOrStatus() {
        return in.getIntAt(8);
    }

    private boolean recvFully(int off, int n, boolean eofAllowed) {
        long base = in.segment().address();
        int done = 0;
        while (done < n) {
            MsgHdr.set(msg, iov, base + off + done, n - done, control, controlSize);
            long r = Host.recvmsg(fd, msg, MsgHdr.MSG_CMSG_CLOEXEC);
            if (r == -Errno.EINTR.number()) {
                continue;
            }
            if (r < 0) {
                throw new ChannelClosedException("recvmsg", (int) -r);
            }
            long clen = MsgHdr.controlLen(msg);
            if (clen > 0) {
                MsgHdr.forEachRight(control, clen, this::keepFd);
            }
            if ((MsgHdr.flags(msg) & MsgHdr.MSG_CTRUNC) != 0) {
                throw new MalformedMessageException("control data truncated");
            }
            if (r == 0) {
                if (eofAllowed && off == 0 && done == 0) {
                    return false;
                }
                throw new MalformedMessageException("end of stream inside a frame");
            }
            done += (int) r;
        }
        return true;
    }

    private void keepFd(int received) {
        if (nfds < MAX_FDS) {
            fds[nfds++] = received;
        } else {
            Host.close(received);
            tooManyFds = true;
        }
    }

    /** How many descriptors came with the last frame. */
    public int receivedFds() {
        return nfds;
    }

    /** Hands over the first descriptor of the last frame (the caller owns it); -1 if none. */
    public int takeFd() {
        if (nfds == 0) {
            return -1;
        }
        int f = fds[0];
        System.arraycopy(fds, 1, fds, 0, nfds - 1);
        nfds--;
        return f;
    }

    /** Closes descriptors of the last frame that nobody took. */
    public void closeReceivedFds() {
        for (int i = 0; i < nfds; i++) {
            Host.close(fds[i]);
        }
        nfds = 0;
        tooManyFds = false;
    }

    /** Sends the frame in {@link #out()}, with {@code passFd} attached as SCM_RIGHTS unless it is negative. */
    public void send(int passFd) {
        int len = out.position();
        out.putIntAt(0, len);
        long base = out.segment().address();
        int done = 0;
        boolean withFd = passFd >= 0;
        while (done < len) {
            long clen = withFd ? MsgHdr.putRights(control, passFd) : 0;
            MsgHdr.set(msg, iov, base + done, len - done, control, clen);
            long r = Host.sendmsg(fd, msg, MsgHdr.MSG_NOSIGNAL);
            if (r == -Errno.EINTR.number()) {
                continue;
            }
            if (r < 0) {
                throw new ChannelClosedException("sendmsg", (int) -r);
            }
            withFd = false; // the kernel attached it to the first byte sent
            done += (int) r;
        }
    }
}
