package dev.jvisor.sentry.fs.epoll;

import dev.jvisor.sentry.fs.anon.AnonFileDescription;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Poll;
import dev.jvisor.sentry.fs.host.HostFileDescription;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * An epoll instance. As in Linux, each watched file has an item that listens on the file's queue; an event puts
 * the item on the ready list. A wait takes items off the list, asks each file for its readiness now and reports
 * those with events; a level-triggered item goes back on the list (it is reported again while ready), an
 * edge-triggered one waits for the next event, a one-shot one is disabled until EPOLL_CTL_MOD.
 *
 * <p>Guarded by this. Lock order: an instance, then the files it watches (readiness is asked under the lock);
 * files notify their queues after dropping their own locks, so a listener may take the instance's lock. An
 * instance inside another is notified the same way, and loops are refused (ELOOP), so the order is a tree.
 */
public final class EpollFileDescription extends AnonFileDescription {
    /** Bits that are flags, not events: what a disabled one-shot item keeps. */
    static final int PRIVATE_BITS = Poll.EPOLLWAKEUP | Poll.EPOLLONESHOT | Poll.EPOLLET | Poll.EPOLLEXCLUSIVE;
    /** What EPOLLEXCLUSIVE may be combined with. */
    public static final int EXCLUSIVE_OK_BITS = Poll.EPOLLIN | Poll.EPOLLOUT | Poll.EPOLLERR | Poll.EPOLLHUP
            | Poll.EPOLLWAKEUP | Poll.EPOLLET | Poll.EPOLLEXCLUSIVE;
    /** Linux's EP_MAX_NESTS: how deep instances may sit inside each other. */
    static final int MAX_NESTS = 4;

    private record Key(FileDescription file, int fd) {}

    private final WaitQueue queue = new WaitQueue();
    private final Map<Key, EpollItem> items = new HashMap<>();
    private final LinkedHashSet<EpollItem> ready = new LinkedHashSet<>();

    public EpollFileDescription() {
        super(Fcntl.O_RDWR, "eventpoll");
    }

    // ---- epoll_ctl ------------------------------------------------------------------------------------------

    /** EPOLL_CTL_ADD of {@code file} as {@code fd}; the caller has checked the file can be polled. */
    public long add(FileDescription file, int fd, int events, long data) {
        if (file instanceof EpollFileDescription other && (other == this || other.reaches(this, 0))) {
            return Errno.ELOOP.ret();
        }
        if (file instanceof EpollFileDescription other && other.depth(0) + 1 > MAX_NESTS) {
            return Errno.ELOOP.ret();
        }
        EpollItem item;
        synchronized (this) {
            Key k = new Key(file, fd);
            if (items.containsKey(k)) {
                return Errno.EEXIST.ret();
            }
            item = new EpollItem(this, file, fd, file instanceof HostFileDescription);
            item.events = events | Poll.EPOLLERR | Poll.EPOLLHUP;
            item.data = data;
            items.put(k, item);
        }
        if (!item.polled) {
            file.eventQueue().addListener(item, WaitQueue.ALL);
        }
        recheck(item);
        return 0;
    }

    /** EPOLL_CTL_MOD. */
    public long modify(FileDescription file, int fd, int events, long data) {
        EpollItem item;
        synchronized (this) {
            item = items.get(new Key(file, fd));
            if (item == null) {
                return Errno.ENOENT.ret();
            }
            if ((item.events & Poll.EPOLLEXCLUSIVE) != 0) {
                return Errno.EINVAL.ret();
            }
            item.events = events | Poll.EPOLLERR | Poll.EPOLLHUP;
            item.data = data;
        }
        recheck(item);
        return 0;
    }

    /** EPOLL_CTL_DEL. */
    public long remove(FileDescription file, int fd) {
        EpollItem item;
        synchronized (this) {
            item = items.remove(new Key(file, fd));
            if (item == null) {
                return Errno.ENOENT.ret();
            }
            ready.remove(item);
            item.onReadyList = false;
        }
        if (!item.polled) {
            file.eventQueue().removeListener(item);
        }
        return 0;
    }

    /** Puts {@code item} on the ready list if its file is ready now (after ADD and MOD, as Linux does). */
    private void recheck(EpollItem item) {
        boolean wake = false;
        synchronized (this) {
            int ev = item.events & ~PRIVATE_BITS;
            if (ev != 0 && (item.file.readiness(ev) & ev) != 0 && !item.onReadyList && items.containsValue(item)) {
                ready.add(item);
                item.onReadyList = true;
                wake = true;
            }
        }
        if (wake) {
            queue.notify(Poll.POLLIN | Poll.POLLRDNORM);
        }
    }

    /** An item's file had {@code happened}: queue the item if it wants any of it (ep_poll_callback). */
    void itemEvent(EpollItem item, int happened) {
        synchronized (this) {
            if ((item.events & ~PRIVATE_BITS) == 0 || (happened & item.events) == 0 || item.onReadyList) {
                return;
            }
            ready.add(item);
            item.onReadyList = true;
        }
        queue.notify(Poll.POLLIN | Poll.POLLRDNORM);
    }

    // ---- loops and nesting ----------------------------------------------------------------------------------

    /** Whether {@code target} is watched by this instance, directly or through nested instances. */
    private boolean reaches(EpollFileDescription target, int depth) {
        if (depth > MAX_NESTS + 1) {
            return true;
        }
        for (EpollFileDescription e : nested()) {
            if (e == target || e.reaches(target, depth + 1)) {
                return true;
            }
        }
        return false;
    }

    /** How many levels of instances sit inside this one. */
    private int depth(int guard) {
        int d = 0;
        if (guard > MAX_NESTS + 1) {
            return guard;
        }
        for (EpollFileDescription e : nested()) {
            d = Math.max(d, 1 + e.depth(guard + 1));
        }
        return d;
    }

    private synchronized List<EpollFileDescription> nested() {
        List<EpollFileDescription> l = new ArrayList<>();
        for (EpollItem i : items.values()) {
            if (i.file instanceof EpollFileDescription e) {
                l.add(e);
            }
        }
        return l;
    }

    // ---- epoll_wait -----------------------------------------------------------------------------------------

    /**
     * Takes up to {@code max} events into {@code out} (struct epoll_event, 12 bytes each) and returns how many.
     * Items that are not ready any more are dropped from the ready list; level-triggered ones that are stay on it.
     */
    public synchronized int harvest(MemorySegment out, int max) {
        int n = 0;
        List<EpollItem> again = null;
        var it = ready.iterator();
        while (it.hasNext() && n < max) {
            EpollItem item = it.next();
            it.remove();
            item.onReadyList = false;
            if (item.file.isReleased()) {
                continue;
            }
            int ev = item.file.readiness(item.events) & item.events & ~PRIVATE_BITS;
            if (ev == 0) {
                continue;
            }
            out.set(JAVA_INT_UNALIGNED, 12L * n, ev);
            out.set(JAVA_LONG_UNALIGNED, 12L * n + 4, item.data);
            n++;
            if ((item.events & Poll.EPOLLONESHOT) != 0) {
                item.events &= PRIVATE_BITS;
            } else if ((item.events & Poll.EPOLLET) == 0) {
                if (again == null) {
                    again = new ArrayList<>();
                }
                again.add(item);
            }
        }
        // Host fds cannot notify: look at each on every wait (as level-triggered).
        for (EpollItem item : items.values()) {
            if (n >= max) {
                break;
            }
            if (!item.polled || item.onReadyList || (again != null && again.contains(item))) {
                continue;
            }
            int ev = item.file.readiness(item.events) & item.events & ~PRIVATE_BITS;
            if (ev == 0) {
                continue;
            }
            out.set(JAVA_INT_UNALIGNED, 12L * n, ev);
            out.set(JAVA_LONG_UNALIGNED, 12L * n + 4, item.data);
            n++;
            if ((item.events & Poll.EPOLLONESHOT) != 0) {
                item.events &= PRIVATE_BITS;
            }
        }
        if (again != null) {
            for (EpollItem item : again) {
                ready.add(item);
                item.onReadyList = true;
            }
        }
        return n;
    }

    /** The host-fd items, for the waiter's host ppoll; and their events. */
    public synchronized List<HostFileDescription> polledFiles(List<Integer> events) {
        List<HostFileDescription> l = new ArrayList<>();
        for (EpollItem i : items.values()) {
            if (i.polled && (i.events & ~PRIVATE_BITS) != 0) {
                l.add((HostFileDescription) i.file);
                events.add(i.events & ~PRIVATE_BITS);
            }
        }
        return l;
    }

    /** Readable when an item on the ready list (or a host fd) has an event (ep_eventpoll_poll). */
    @Override
    public synchronized int readiness(int mask) {
        for (EpollItem item : ready) {
            if (!item.file.isReleased() && (item.file.readiness(item.events) & item.events & ~PRIVATE_BITS) != 0) {
                return Poll.POLLIN | Poll.POLLRDNORM;
            }
        }
        for (EpollItem item : items.values()) {
            if (item.polled && (item.file.readiness(item.events) & item.events & ~PRIVATE_BITS) != 0) {
                return Poll.POLLIN | Poll.POLLRDNORM;
            }
        }
        return 0;
    }

    @Override
    public WaitQueue eventQueue() {
        return queue;
    }

    // ---- the rest -------------------------------------------------------------------------------------------

    @Override
    protected void release() {
        List<EpollItem> all;
        synchronized (this) {
            all = new ArrayList<>(items.values());
            items.clear();
            ready.clear();
        }
        for (EpollItem i : all) {
            if (!i.polled) {
                i.file.eventQueue().removeListener(i);
            }
        }
    }
}
