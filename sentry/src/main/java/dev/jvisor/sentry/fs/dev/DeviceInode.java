package dev.jvisor.sentry.fs.dev;

import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.Filesystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.VirtualDentry;

/** A memory character device node (crw-rw-rw- root:root, major 1). */
public final class DeviceInode extends Inode {
    /** The devices of drivers/char/mem.c that the sandbox provides, with their minor numbers. */
    public enum Kind {
        NULL("null", 3), ZERO("zero", 5), FULL("full", 7), RANDOM("random", 8), URANDOM("urandom", 9);

        private final String devName;
        private final int minor;

        Kind(String devName, int minor) {
            this.devName = devName;
            this.minor = minor;
        }

        public String devName() {
            return devName;
        }

        public int minor() {
            return minor;
        }
    }

    public static final int MEM_MAJOR = 1;

    private final Kind kind;

    public DeviceInode(Filesystem fs, Kind kind) {
        super(fs, fs.nextIno(), FileMode.S_IFCHR | 0666, 0, 0);
        this.kind = kind;
        this.rdevMajor = MEM_MAJOR;
        this.rdevMinor = kind.minor();
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public FileDescription open(VirtualDentry vd, int flags) {
        return new MemoryDeviceFileDescription(vd, flags, kind);
    }

    @Override
    public void truncate(long size) {
        // O_TRUNC on a character device is ignored, as Linux does.
    }
}
