package dev.jvisor.abi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * x86-64 {@code struct msghdr}, {@code struct iovec} and {@code struct cmsghdr} for sendmsg(2)/recvmsg(2), the
 * socket constants that go with them, and the SCM_RIGHTS helpers (cmsg(3) macros) used to pass file descriptors
 * over a Unix socket.
 */
public final class MsgHdr {
    private MsgHdr() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    public static final long SIZE = 56;
    public static final long NAME = 0, NAMELEN = 8, IOV = 16, IOVLEN = 24, CONTROL = 32, CONTROLLEN = 40,
            FLAGS = 48;

    /** {@code struct iovec}: base, len. */
    public static final long IOVEC_SIZE = 16, IOV_BASE = 0, IOV_LEN = 8;

    /** {@code struct cmsghdr} header: cmsg_len (size_t), cmsg_level, cmsg_type; data follows, 8-aligned. */
    public static final long CMSG_HDR = 16, CMSG_LEN_OFF = 0, CMSG_LEVEL = 8, CMSG_TYPE = 12;

    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
    public static final int SO_PEERCRED = 17;
    public static final int MSG_PEEK = 0x2, MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40,
            MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

    /** CMSG_ALIGN(len). */
    public static long cmsgAlign(long len) {
        return (len + 7) & ~7L;
    }

    /** CMSG_SPACE(len): room a control message with {@code len} data bytes takes in the buffer. */
    public static long cmsgSpace(long len) {
        return CMSG_HDR + cmsgAlign(len);
    }

    /** CMSG_LEN(len): the cmsg_len value for {@code len} data bytes. */
    public static long cmsgLen(long len) {
        return CMSG_HDR + len;
    }

    /**
     * Fills {@code msg} (a {@link #LAYOUT} segment) for one buffer and an optional control buffer. The name is
     * left NULL: the sockets here are connected.
     */
    public static void set(MemorySegment msg, MemorySegment iov, long base, long len, MemorySegment control,
                           long controlLen) {
        iov.set(JAVA_LONG, IOV_BASE, base);
        iov.set(JAVA_LONG, IOV_LEN, len);
        msg.set(JAVA_LONG, NAME, 0);
        msg.set(JAVA_INT, NAMELEN, 0);
        msg.set(JAVA_LONG, IOV, iov.address());
        msg.set(JAVA_LONG, IOVLEN, 1);
        msg.set(JAVA_LONG, CONTROL, controlLen == 0 ? 0 : control.address());
        msg.set(JAVA_LONG, CONTROLLEN, controlLen);
        msg.set(JAVA_INT, FLAGS, 0);
    }

    /** Writes one SCM_RIGHTS control message carrying {@code fd} at the start of {@code control}; returns its space. */
    public static long putRights(MemorySegment control, int fd) {
        control.set(JAVA_LONG, CMSG_LEN_OFF, cmsgLen(4));
        control.set(JAVA_INT, CMSG_LEVEL, SOL_SOCKET);
        control.set(JAVA_INT, CMSG_TYPE, SCM_RIGHTS);
        control.set(JAVA_INT, CMSG_HDR, fd);
        return cmsgSpace(4);
    }

    /** The msg_flags recvmsg(2) returned. */
    public static int flags(MemorySegment msg) {
        return msg.get(JAVA_INT, FLAGS);
    }

    /** The msg_controllen recvmsg(2) returned. */
    public static long controlLen(MemorySegment msg) {
        return msg.get(JAVA_LONG, CONTROLLEN);
    }

    /**
     * Calls {@code sink} for every descriptor in the SCM_RIGHTS messages of the first {@code controlLen} bytes of
     * {@code control} (the CMSG_FIRSTHDR/CMSG_NXTHDR walk). Returns how many there were.
     */
    public static int forEachRight(MemorySegment control, long controlLen, java.util.function.IntConsumer sink) {
        int n = 0;
        long off = 0;
        while (off + CMSG_HDR <= controlLen) {
            long len = control.get(JAVA_LONG, off + CMSG_LEN_OFF);
            if (len < CMSG_HDR || off + len > controlLen) {
                break;
            }
            if (control.get(JAVA_INT, off + CMSG_LEVEL) == SOL_SOCKET
                    && control.get(JAVA_INT, off + CMSG_TYPE) == SCM_RIGHTS) {
                for (long p = off + CMSG_HDR; p + 4 <= off + len; p += 4) {
                    sink.accept(control.get(JAVA_INT, p));
                    n++;
                }
            }
            off += cmsgAlign(len);
        }
        return n;
    }
}
