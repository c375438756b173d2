package dev.jvisor.sentry.fs.anon;

import dev.jvisor.sentry.vfs.Kstat;

/**
 * What fstat(2) shows for the files on Linux's single anonymous inode (eventfd, epoll, timerfd, signalfd): mode
 * 0600 with no type bits, inode 1 of anon_inodefs... the owner and times of the sandbox's boot.
 */
public final class AnonInode {
    private AnonInode() {}

    private static final long BOOT_NS = System.currentTimeMillis() * 1_000_000L;

    public static long stat(Kstat k) {
        k.ino = 1;
        k.mode = 0600;
        k.nlink = 1;
        k.uid = 0;
        k.gid = 0;
        k.devMajor = 0;
        k.devMinor = 15;
        k.size = 0;
        k.blksize = 4096;
        k.blocks = 0;
        k.atimeNs = k.mtimeNs = k.ctimeNs = BOOT_NS;
        return 0;
    }
}
