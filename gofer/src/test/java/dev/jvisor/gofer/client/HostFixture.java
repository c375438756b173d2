package dev.jvisor.gofer.client;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Stat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A host directory tree to serve, and host-side oracles (lstat, pread) to compare the gofer's answers with. */
final class HostFixture {
    private HostFixture() {}

    static final String FILE_CONTENT = "hello from the host rootfs\n";

    /**
     * Builds under {@code base}: {@code root/} holding file.txt, dir/inner.txt, link -> file.txt,
     * escape -> ../outside.txt (a file beside the root), abs -> /etc/passwd, fifo, sock; and base/outside.txt.
     */
    static Path build(Path base) throws IOException {
        Path root = Files.createDirectory(base.resolve("root"));
        Files.writeString(root.resolve("file.txt"), FILE_CONTENT);
        Files.createDirectory(root.resolve("dir"));
        Files.writeString(root.resolve("dir/inner.txt"), "inner\n");
        Files.createSymbolicLink(root.resolve("link"), Path.of("file.txt"));
        Files.writeString(base.resolve("outside.txt"), "secret outside the root\n");
        Files.createSymbolicLink(root.resolve("escape"), Path.of("../outside.txt"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc/passwd"));
        try (Arena a = Arena.ofConfined()) {
            int r = Host.mknodat(Fcntl.AT_FDCWD, a.allocateFrom(root.resolve("fifo").toString()),
                    FileMode.S_IFIFO | 0644, 0);
            assertEquals(0, r, "mkfifo: " + Errno.name(-r));
        }
        try (ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(root.resolve("sock")));
        }
        return root;
    }

    /** Removes the link that points outside the temp dir, which JUnit's cleanup would warn about. */
    static void cleanup(Path root) throws IOException {
        Files.deleteIfExists(root.resolve("abs"));
    }

    /** The host's own lstat of {@code p}. */
    static HostStat lstat(Path p) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Stat.LAYOUT);
            int r = Host.fstatat(Fcntl.AT_FDCWD, a.allocateFrom(p.toString()), st, Fcntl.AT_SYMLINK_NOFOLLOW);
            assertEquals(0, r, "lstat " + p + ": " + Errno.name(-r));
            return new HostStat(Stat.dev(st), Stat.ino(st), Stat.mode(st), Stat.nlink(st), Stat.uid(st),
                    Stat.gid(st), Stat.size(st), st.get(JAVA_LONG, Stat.MTIME) * 1_000_000_000L
                            + st.get(JAVA_LONG, Stat.MTIME_NSEC));
        }
    }

    record HostStat(long dev, long ino, int mode, long nlink, int uid, int gid, long size, long mtimeNs) {}

    /** Reads up to {@code max} bytes of {@code fd} from offset 0. */
    static String pread(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(max);
            long n = Host.pread(fd, buf.address(), max, 0);
            if (n < 0) {
                throw Errno.of((int) -n).exception();
            }
            return new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8);
        }
    }

    static int fdFlags(int fd) {
        return Host.fcntl(fd, Fcntl.F_GETFD, 0);
    }

    /** True while a process with {@code pid} exists (kill(pid, 0) does not fail with ESRCH). */
    static boolean alive(int pid) {
        return Host.kill(pid, 0) != -Errno.ESRCH.number();
    }

    static int[] socketpair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            assertEquals(0, Host.socketpair(dev.jvisor.abi.MsgHdr.AF_UNIX,
                    dev.jvisor.abi.MsgHdr.SOCK_STREAM | dev.jvisor.abi.MsgHdr.SOCK_CLOEXEC, 0, sv));
            return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** waitpid(pid) with a deadline; returns the wait status. */
    static int waitFor(int pid, long timeoutMs) throws InterruptedException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(JAVA_INT);
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (System.currentTimeMillis() < deadline) {
                int r = Host.wait4(pid, st, 1 /* WNOHANG */);
                if (r == pid) {
                    return st.get(JAVA_INT, 0);
                }
                assertEquals(0, r, "wait4: " + Errno.name(-r));
                Thread.sleep(5);
            }
            Host.kill(pid, 9);
            Host.wait4(pid, st, 0);
            throw new AssertionError("process " + pid + " did not exit within " + timeoutMs + " ms");
        }
    }
}
