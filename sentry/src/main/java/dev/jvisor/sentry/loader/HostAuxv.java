package dev.jvisor.sentry.loader;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Elf;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The CPU capability words the host kernel gave the sentry's own JVM (AT_HWCAP, AT_HWCAP2), which the workload
 * gets too: its code runs on the same CPU. Also AT_MINSIGSTKSZ, the size of a signal frame with this CPU's XSAVE
 * area, which the sentry's frames share. Read once from /proc/self/auxv, a sentry start-up file.
 */
final class HostAuxv {
    private HostAuxv() {}

    /** CPUID leaf 1 EDX of a typical x86-64 part, used only if /proc/self/auxv cannot be read. */
    static final long FALLBACK_HWCAP = 0x178bfbffL;

    static final long HWCAP;
    static final long HWCAP2;
    /** 0 when the host gave none (before Linux 5.14); the loader then leaves the entry out, as such a host does. */
    static final long MINSIGSTKSZ;

    static {
        long[] v = read();
        HWCAP = v[0] != 0 ? v[0] : FALLBACK_HWCAP;
        HWCAP2 = v[1];
        MINSIGSTKSZ = v[2];
    }

    private static long[] read() {
        long[] out = new long[3];
        try (Arena a = Arena.ofConfined()) {
            int fd = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom("/proc/self/auxv"), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC,
                    0);
            if (fd < 0) {
                Log.warn("cannot open /proc/self/auxv (" + fd + "); using a default AT_HWCAP");
                return out;
            }
            MemorySegment buf = a.allocate(4096, 8);
            long n = 0;
            try {
                while (n < buf.byteSize()) {
                    long r = Host.read(fd, buf.address() + n, buf.byteSize() - n);
                    if (r <= 0) {
                        break;
                    }
                    n += r;
                }
            } finally {
                Host.close(fd);
            }
            for (long off = 0; off + 16 <= n; off += 16) {
                long tag = buf.get(JAVA_LONG, off);
                long val = buf.get(JAVA_LONG, off + 8);
                if (tag == Elf.AT_NULL) {
                    break;
                } else if (tag == Elf.AT_HWCAP) {
                    out[0] = val;
                } else if (tag == Elf.AT_HWCAP2) {
                    out[1] = val;
                } else if (tag == Elf.AT_MINSIGSTKSZ) {
                    out[2] = val;
                }
            }
        }
        return out;
    }
}
