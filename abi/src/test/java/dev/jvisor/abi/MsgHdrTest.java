package dev.jvisor.abi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MsgHdrTest {
    @Test
    void layoutsMatchTheX8664Abi() {
        assertEquals(MsgHdr.SIZE, MsgHdr.LAYOUT.byteSize());
        assertEquals(MsgHdr.CONTROLLEN, MsgHdr.LAYOUT.byteOffset(
                java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_controllen")));
        assertEquals(MsgHdr.FLAGS, MsgHdr.LAYOUT.byteOffset(
                java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_flags")));
        // CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)) on x86-64.
        assertEquals(24, MsgHdr.cmsgSpace(4));
        assertEquals(20, MsgHdr.cmsgLen(4));
    }

    @Test
    void scmRightsPassesADescriptorThatNamesTheSameFile() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            assertEquals(0, Host.socketpair(MsgHdr.AF_UNIX, MsgHdr.SOCK_STREAM | MsgHdr.SOCK_CLOEXEC, 0, sv));
            int s0 = sv.getAtIndex(JAVA_INT, 0);
            int s1 = sv.getAtIndex(JAVA_INT, 1);
            int file = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom("/"), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            assertTrue(file >= 0);

            MemorySegment msg = a.allocate(MsgHdr.LAYOUT);
            MemorySegment iov = a.allocate(MsgHdr.IOVEC_SIZE);
            MemorySegment data = a.allocate(1);
            MemorySegment control = a.allocate(MsgHdr.cmsgSpace(4), 8);
            long clen = MsgHdr.putRights(control, file);
            MsgHdr.set(msg, iov, data.address(), 1, control, clen);
            assertEquals(1, Host.sendmsg(s0, msg, MsgHdr.MSG_NOSIGNAL));

            control.fill((byte) 0);
            MsgHdr.set(msg, iov, data.address(), 1, control, control.byteSize());
            assertEquals(1, Host.recvmsg(s1, msg, MsgHdr.MSG_CMSG_CLOEXEC));
            List<Integer> got = new ArrayList<>();
            assertEquals(1, MsgHdr.forEachRight(control, MsgHdr.controlLen(msg), got::add));
            int received = got.get(0);
            assertNotEquals(file, received);
            assertEquals(Fcntl.FD_CLOEXEC, Host.fcntl(received, Fcntl.F_GETFD, 0));
            MemorySegment st1 = a.allocate(Stat.LAYOUT);
            MemorySegment st2 = a.allocate(Stat.LAYOUT);
            Host.fstat(file, st1);
            Host.fstat(received, st2);
            assertEquals(Stat.ino(st1), Stat.ino(st2));
            for (int fd : new int[] {s0, s1, file, received}) {
                Host.close(fd);
            }
        }
    }
}
