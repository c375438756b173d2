package dev.jvisor.sentry.fs.epoll;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.fs.eventfd.EventFileDescription;
import dev.jvisor.sentry.fs.pipe.Pipe;
import dev.jvisor.sentry.fs.pipe.PipeFileDescription;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** epoll's ready list as epoll(7) describes it, driven by real pipes and eventfds (no task: nothing blocks). */
class EpollReadinessTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment out = arena.allocate(12 * 8);
    private final Pipe pipe = new Pipe(0, 0);
    private final PipeFileDescription r = new PipeFileDescription(pipe, Fcntl.O_RDONLY | Fcntl.O_NONBLOCK);
    private final PipeFileDescription w = new PipeFileDescription(pipe, Fcntl.O_WRONLY | Fcntl.O_NONBLOCK);
    private final EpollFileDescription ep = new EpollFileDescription();

    @AfterEach
    void close() {
        arena.close();
    }

    private void write(String s) {
        assertEquals(s.length(), w.write(MemorySegment.ofArray(s.getBytes())));
    }

    private long read(int n) {
        return r.read(MemorySegment.ofArray(new byte[n]));
    }

    /** Harvests and returns "data:events" pairs. */
    private String harvest() {
        int n = ep.harvest(out, 8);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(out.get(JAVA_LONG_UNALIGNED, 12L * i + 4)).append(':')
                    .append(Integer.toHexString(out.get(JAVA_INT_UNALIGNED, 12L * i)));
        }
        return sb.toString();
    }

    @Test
    void levelTriggeredReportsWhileReady() {
        assertEquals(0, ep.add(r, 3, Poll.EPOLLIN, 7));
        assertEquals("", harvest());
        assertEquals(0, ep.readiness(Poll.POLLIN));
        write("abc");
        assertEquals(Poll.POLLIN | Poll.POLLRDNORM, ep.readiness(Poll.POLLIN));
        assertEquals("7:1", harvest());
        assertEquals("7:1", harvest());
        read(3);
        assertEquals("", harvest());
    }

    @Test
    void edgeTriggeredReportsOncePerEvent() {
        assertEquals(0, ep.add(r, 3, Poll.EPOLLIN | Poll.EPOLLET, 7));
        write("abc");
        assertEquals("7:1", harvest());
        assertEquals("", harvest(), "still readable, but no new edge");
        write("d");
        assertEquals("7:1", harvest());
    }

    @Test
    void oneShotIsDisabledUntilModified() {
        assertEquals(0, ep.add(r, 3, Poll.EPOLLIN | Poll.EPOLLONESHOT, 7));
        write("a");
        assertEquals("7:1", harvest());
        write("b");
        assertEquals("", harvest());
        assertEquals(0, ep.modify(r, 3, Poll.EPOLLIN | Poll.EPOLLONESHOT, 8));
        assertEquals("8:1", harvest());
    }

    @Test
    void hangUpAndErrorAreAlwaysReported() {
        assertEquals(0, ep.add(r, 3, Poll.EPOLLIN, 1));
        assertEquals(0, ep.add(w, 4, 0, 2));
        w.decRef();
        assertEquals("1:10", harvest(), "POLLHUP on the read end once the writer is gone; the closed write end is dropped");
    }

    @Test
    void ctlErrors() {
        assertEquals(0, ep.add(r, 3, Poll.EPOLLIN, 1));
        assertEquals(Errno.EEXIST.ret(), ep.add(r, 3, Poll.EPOLLIN, 1));
        assertEquals(0, ep.add(r, 5, Poll.EPOLLIN, 1), "the same file under another fd is another item");
        assertEquals(Errno.ENOENT.ret(), ep.modify(w, 4, Poll.EPOLLOUT, 1));
        assertEquals(Errno.ENOENT.ret(), ep.remove(w, 4));
        assertEquals(0, ep.remove(r, 3));
        assertEquals(Errno.ENOENT.ret(), ep.remove(r, 3));
    }

    @Test
    void nestedInstancesPropagateAndLoopsAreRefused() {
        EpollFileDescription outer = new EpollFileDescription();
        EventFileDescription e = new EventFileDescription(0, false, true);
        assertEquals(0, ep.add(e, 3, Poll.EPOLLIN, 1));
        assertEquals(0, outer.add(ep, 4, Poll.EPOLLIN, 2));
        assertEquals(Errno.ELOOP.ret(), ep.add(outer, 5, Poll.EPOLLIN, 3));
        assertEquals(0, outer.harvest(out, 8), "nothing ready inside");
        // An eventfd write needs workload memory; an eventfd created with a count of 1 is ready instead.
        EventFileDescription ready = new EventFileDescription(1, false, true);
        assertEquals(0, ep.add(ready, 6, Poll.EPOLLIN, 4));
        assertEquals(1, outer.harvest(out, 8));
        assertEquals(2, out.get(JAVA_LONG_UNALIGNED, 4));
    }
}
