package dev.jvisor.sentry.fs.pipe;

import dev.jvisor.abi.Fcntl;
import dev.jvisor.sentry.vfs.AnonFilesystem;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Kstat;
import dev.jvisor.sentry.vfs.VirtualDentry;

/**
 * The inode behind a pipe, for opening it again through /proc/self/fd/N (or /dev/stdin, /dev/stdout): each open
 * is a new end of the same pipe. Unlike a named FIFO, an anonymous pipe's open never waits for the other side
 * and is never ENXIO (Linux skips both for pipefs inodes).
 */
final class PipeInode extends Inode {
    private final Pipe pipe;

    PipeInode(Pipe pipe) {
        super(AnonFilesystem.INSTANCE, pipe.ino, Pipe.MODE, pipe.uid, pipe.gid);
        this.pipe = pipe;
    }

    @Override
    public void stat(Kstat st) {
        PipeFileDescription.fill(pipe, st);
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        return new PipeFileDescription(pipe, flags & (Fcntl.O_ACCMODE | Fcntl.O_NONBLOCK | Fcntl.O_DIRECT));
    }
}
