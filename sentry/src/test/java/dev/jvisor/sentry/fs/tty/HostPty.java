package dev.jvisor.sentry.fs.tty;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Pty;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A real host pty pair (the oracle for the line discipline's tests): what is typed goes into the master; what
 * the host echoes comes back out of it; what a reader gets is read from the slave. Both ends are non-blocking.
 */
final class HostPty implements AutoCloseable {
    final int master;
    final int slave;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(8192);

    HostPty() {
        master = Host.openat(Fcntl.AT_FDCWD, arena.allocateFrom("/dev/ptmx"),
                Fcntl.O_RDWR | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK, 0);
        check(master, "open /dev/ptmx");
        MemorySegment unlock = arena.allocate(JAVA_INT);
        check(Host.ioctl(master, Pty.TIOCSPTLCK, unlock.address()), "TIOCSPTLCK");
        slave = Host.ioctl(master, Pty.TIOCGPTPEER, Fcntl.O_RDWR | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC
                | Fcntl.O_NONBLOCK);
        check(slave, "TIOCGPTPEER");
    }

    private static void check(long r, String what) {
        if (r < 0) {
            throw new IllegalStateException(what + ": " + Errno.name((int) -r));
        }
    }

    byte[] termios() {
        MemorySegment t = arena.allocate(Ioctls.TERMIOS_SIZE);
        check(Host.ioctl(slave, Ioctls.TCGETS, t.address()), "TCGETS");
        return t.toArray(JAVA_BYTE);
    }

    void setTermios(byte[] tio) {
        MemorySegment t = arena.allocate(Ioctls.TERMIOS_SIZE);
        MemorySegment.copy(tio, 0, t, JAVA_BYTE, 0, tio.length);
        check(Host.ioctl(slave, Ioctls.TCSETS, t.address()), "TCSETS");
    }

    /** Types {@code b} and gives the host's line discipline time to take it (it works asynchronously). */
    void type(byte[] b) {
        MemorySegment.copy(b, 0, buf, JAVA_BYTE, 0, b.length);
        check(Host.write(master, buf.address(), b.length), "write master");
        settle();
    }

    void writeSlave(byte[] b) {
        MemorySegment.copy(b, 0, buf, JAVA_BYTE, 0, b.length);
        check(Host.write(slave, buf.address(), b.length), "write slave");
        settle();
    }

    /** What the master can read now: the echo and output. */
    byte[] screen() {
        return drain(master);
    }

    /** One read(2) of the slave; null when it would block. */
    byte[] readSlave(int max) {
        long n = Host.read(slave, buf.address(), max);
        if (n == Errno.EAGAIN.ret()) {
            return null;
        }
        check(n, "read slave");
        return buf.asSlice(0, n).toArray(JAVA_BYTE);
    }

    private byte[] drain(int fd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (;;) {
            long n = Host.read(fd, buf.address(), buf.byteSize());
            if (n <= 0) {
                return out.toByteArray();
            }
            out.write(buf.asSlice(0, n).toArray(JAVA_BYTE), 0, (int) n);
        }
    }

    private static void settle() {
        try {
            Thread.sleep(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Host.close(slave);
        Host.close(master);
        arena.close();
    }
}
