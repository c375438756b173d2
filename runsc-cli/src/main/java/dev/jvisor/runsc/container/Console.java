package dev.jvisor.runsc.container;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.MsgHdr;
import dev.jvisor.abi.Pty;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The terminal of a container with {@code process.terminal}: a host pty pair. The master goes to the caller's
 * {@code --console-socket} with SCM_RIGHTS, as runc sends it (containerd's shim copies between it and the
 * user); the slave becomes the sandbox process's stdin, stdout and stderr, over which the sentry emulates the
 * workload's terminal (its own line discipline, controlling tty and job control: sentry {@code fs.tty}).
 */
public final class Console implements AutoCloseable {
    private final int master;
    private final int slave;

    private Console(int master, int slave) {
        this.master = master;
        this.slave = slave;
    }

    /** Opens a pty pair; sets its window size when {@code rows} and {@code cols} are given. */
    public static Console open(Integer rows, Integer cols) {
        int master;
        try (Arena a = Arena.ofConfined()) {
            master = Host.openat(Fcntl.AT_FDCWD, a.allocateFrom("/dev/ptmx"),
                    Fcntl.O_RDWR | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC, 0);
            if (master < 0) {
                throw new ContainerException("cannot open /dev/ptmx: " + Errno.name(-master));
            }
            MemorySegment unlock = a.allocate(JAVA_INT);
            int slave = Host.ioctl(master, Pty.TIOCSPTLCK, unlock.address());
            if (slave == 0) {
                slave = Host.ioctl(master, Pty.TIOCGPTPEER, Fcntl.O_RDWR | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC);
            }
            if (slave < 0) {
                Host.close(master);
                throw new ContainerException("cannot open the pty's slave: " + Errno.name(-slave));
            }
            if (rows != null && cols != null) {
                MemorySegment ws = a.allocate(Pty.WINSIZE_SIZE);
                ws.set(JAVA_SHORT, 0, rows.shortValue());
                ws.set(JAVA_SHORT, 2, cols.shortValue());
                Host.ioctl(slave, Ioctls.TIOCSWINSZ, ws.address());
            }
            return new Console(master, slave);
        }
    }

    /** The slave's fd: the sandbox process's stdio. */
    public int slave() {
        return slave;
    }

    /** Sends the master to the Unix socket at {@code socket}, with the data "/dev/ptmx", as runc does. */
    public void sendMaster(Path socket) {
        byte[] path = socket.toString().getBytes(StandardCharsets.UTF_8);
        if (path.length > Container.MAX_SOCKET_PATH) {
            throw new ContainerException("--console-socket " + socket + ": path too long");
        }
        int fd = Host.socket(MsgHdr.AF_UNIX, MsgHdr.SOCK_STREAM | MsgHdr.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new ContainerException("--console-socket: socket: " + Errno.name(-fd));
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(110);
            addr.set(JAVA_SHORT, 0, (short) MsgHdr.AF_UNIX);
            MemorySegment.copy(path, 0, addr, JAVA_BYTE, 2, path.length);
            int r = Host.connect(fd, addr, 2 + path.length + 1);
            if (r < 0) {
                throw new ContainerException("--console-socket " + socket + ": " + Errno.name(-r));
            }
            MemorySegment data = a.allocateFrom("/dev/ptmx");
            MemorySegment iov = a.allocate(MsgHdr.IOVEC_SIZE);
            MemorySegment control = a.allocate(MsgHdr.cmsgSpace(4));
            MemorySegment msg = a.allocate(MsgHdr.SIZE);
            long len = MsgHdr.putRights(control, master);
            MsgHdr.set(msg, iov, data.address(), data.byteSize() - 1, control, len);
            long n = Host.sendmsg(fd, msg, 0);
            if (n < 0) {
                throw new ContainerException("--console-socket " + socket + ": sendmsg: " + Errno.name((int) -n));
            }
        } finally {
            Host.close(fd);
        }
    }

    @Override
    public void close() {
        Host.close(master);
        Host.close(slave);
    }
}
