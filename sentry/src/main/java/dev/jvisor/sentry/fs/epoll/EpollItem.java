package dev.jvisor.sentry.fs.epoll;

import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.vfs.FileDescription;

/**
 * One watched file of an epoll instance (Linux's epitem): the file and fd it was added as, the event mask and
 * the user data. It listens on the file's queue and puts itself on the instance's ready list when an event it
 * wants happens. Fields other than {@code file}, {@code fd} and {@code instance} are guarded by the instance.
 */
final class EpollItem implements WaitQueue.Listener {
    final EpollFileDescription instance;
    final FileDescription file;
    final int fd;
    /** Waited for in a host ppoll rather than through the file's queue (a host fd never notifies). */
    final boolean polled;
    int events;
    long data;
    boolean onReadyList;

    EpollItem(EpollFileDescription instance, FileDescription file, int fd, boolean polled) {
        this.instance = instance;
        this.file = file;
        this.fd = fd;
        this.polled = polled;
    }

    @Override
    public void onEvents(int happened) {
        instance.itemEvent(this, happened);
    }
}
