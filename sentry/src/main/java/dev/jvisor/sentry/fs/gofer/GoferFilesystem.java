package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.gofer.client.GoferClient;
import dev.jvisor.gofer.client.GoferException;
import dev.jvisor.abi.Log;
import dev.jvisor.sentry.vfs.Dentry;
import dev.jvisor.sentry.vfs.Filesystem;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tree a gofer serves: the rootfs (read-only; an overlay above it takes writes) or a bind mount, which may be
 * writable, in which case writes go to the host through the gofer's write messages. Dentries are walked lazily
 * through the client and cached. In the read-only root, attributes are those the gofer gave at the walk, since
 * the sandbox treats its lower layer as unchanging; in a bind, which the host may change too, stat asks the
 * gofer each time and absent names are not remembered.
 *
 * <p>The gofer may serve a tree that spans several host filesystems (the host's "/"), whose inode numbers
 * collide. One device number is shown for the whole tree: files of the root's host device keep their inode
 * numbers, and files of other host devices get numbers from a private range, so (st_dev, st_ino) stays unique.
 */
public final class GoferFilesystem extends Filesystem {
    private static final long FOREIGN_INO_BASE = 1L << 60;

    private final GoferClient client;
    private final boolean readonly;
    private final boolean live;
    private final long rootHostDev;
    private final Dentry root;
    private final ConcurrentHashMap<HostIno, Long> foreignInos = new ConcurrentHashMap<>();
    private final AtomicLong nextForeign = new AtomicLong(FOREIGN_INO_BASE);

    private record HostIno(long dev, long ino) {}

    /** The rootfs the gofer serves as mount 0: read-only, unchanging. */
    public GoferFilesystem(GoferClient client) {
        this(client, call(client::root), true, false);
    }

    private GoferFilesystem(GoferClient client, GoferClient.Fid rootFid, boolean readonly, boolean live) {
        this.client = client;
        this.readonly = readonly;
        this.live = live;
        this.rootHostDev = rootFid.attr().dev();
        this.root = Dentry.root(new GoferInode(this, rootFid));
    }

    /**
     * A bind mount: mount {@code mount} of the gofer (a directory or a regular file). Writable unless
     * {@code readonly}, in which case the gofer refuses writes as well.
     */
    public static GoferFilesystem bind(GoferClient client, int mount, boolean readonly) {
        return new GoferFilesystem(client, call(() -> client.attach(mount)), readonly, true);
    }

    @Override
    public String type() {
        return "gofer";
    }

    @Override
    public Dentry root() {
        return root;
    }

    @Override
    public boolean readonly() {
        return readonly;
    }

    /** Whether the host may change the tree under the sandbox (a bind): attributes are fetched, not kept. */
    boolean live() {
        return live;
    }

    GoferClient client() {
        return client;
    }

    /** The inode number shown for a host file (see the class comment). */
    long inoFor(long hostDev, long hostIno) {
        if (hostDev == rootHostDev) {
            return hostIno;
        }
        return foreignInos.computeIfAbsent(new HostIno(hostDev, hostIno), k -> nextForeign.getAndIncrement());
    }

    /** Runs a client call, turning a broken connection into EIO for the workload. */
    static <T> T call(java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (GoferException e) {
            Log.warn("gofer: " + e.getMessage());
            throw Errno.EIO.exception();
        }
    }
}
