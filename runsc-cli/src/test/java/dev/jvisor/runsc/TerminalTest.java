package dev.jvisor.runsc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.MsgHdr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container with {@code process.terminal}: the test plays containerd's part, taking the pty master from
 * {@code --console-socket} and typing into it. An interactive busybox shell then behaves as on a real terminal,
 * with the sentry's line discipline: echo, ^C to the foreground job, job control (a background job that reads
 * the terminal stops with SIGTTIN; fg resumes it), the window size and SIGWINCH when the master is resized.
 */
class TerminalTest {
    @TempDir
    Path dir;

    private int master = -1;
    private final StringBuilder screen = new StringBuilder();
    private int seen;

    /** A bundle running {@code args} on a terminal of 24 rows and 80 columns. */
    private Path terminalBundle(String... args) throws IOException {
        Path bundle = Jrunsc.bundle(dir.resolve("b"), args);
        String config = Files.readString(bundle.resolve("config.json"));
        Files.writeString(bundle.resolve("config.json"), config.replace("\"process\": {",
                "\"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80},"));
        return bundle;
    }

    /** create (taking the master from the console socket) and start; returns the sandbox process's PID. */
    private long createAndStart(Jrunsc j, Path bundle, String id) throws Exception {
        Path sock = Files.createTempDirectory("tty").resolve("c.sock");
        try (Arena a = Arena.ofConfined()) {
            int listener = listen(a, sock);
            CompletableFuture<Jrunsc.Result> created = CompletableFuture.supplyAsync(() -> {
                try {
                    return j.cmd("create", "--bundle", bundle.toString(), "--console-socket", sock.toString(),
                            "--pid-file", dir.resolve("pid").toString(), id);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            awaitConnection(a, listener, created);
            master = receiveFd(a, listener);
            Host.close(listener);
            Jrunsc.Result c = created.get(120, TimeUnit.SECONDS);
            assertEquals(0, c.status(), c.err());
        }
        long pid = Long.parseLong(Files.readString(dir.resolve("pid")).strip());
        assertEquals(0, j.cmd("start", id).status());
        return pid;
    }

    /**
     * The controlling-terminal rules (guest program ttyrules: /dev/tty, TIOCGPGRP/TIOCSPGRP/TIOCSCTTY/TIOCNOTTY
     * across sessions, SIGTTIN and SIGTTOU for background groups, VMIN/VTIME reads) give on the container's
     * terminal exactly what they give natively on a host pty under script(1), byte for byte as the master sees
     * them.
     */
    @Test
    void theControllingTerminalRulesAreLinuxs() throws Exception {
        Path script = Path.of("/usr/bin/script");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(script), "script(1) is not installed");
        Path bin = dev.jvisor.runsc.guest.GuestProgram.named("ttyrules").binary();
        // Natively: script gives the program a new session with a pty as its controlling terminal. Its stdin is a
        // pipe that stays open, so nothing is typed.
        Process p = new ProcessBuilder(script.toString(), "-qec", bin.toString(), "/dev/null")
                .redirectErrorStream(true).start();
        String nativeOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), nativeOut);
        p.getOutputStream().close();

        Jrunsc j = new Jrunsc(dir);
        Path bundle = terminalBundle("/ttyrules");
        Files.copy(bin, bundle.resolve("rootfs/ttyrules"));
        try {
            long pid = createAndStart(j, bundle, "rules");
            String out = readUntilHangup();
            assertEquals(0, Jrunsc.reap(pid), out);
            assertEquals(nativeOut, out);
            assertTrue(out.contains("background reader: stopped by 21"), out);
            assertEquals(0, j.cmd("delete", "rules").status());
        } finally {
            if (master >= 0) {
                Host.close(master);
            }
        }
    }

    /** Everything the master gets until the slave's last holder is gone (EIO), 60 s at most. */
    private String readUntilHangup() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder sb = new StringBuilder();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8);
            MemorySegment ts = a.allocate(16);
            MemorySegment buf = a.allocate(4096);
            while (System.nanoTime() < deadline) {
                pfd.set(JAVA_INT, 0, master);
                pfd.set(JAVA_SHORT, 4, (short) 1);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, 100_000_000L);
                if (Host.ppoll(pfd, 1, ts) > 0) {
                    long n = Host.read(master, buf.address(), 4096);
                    if (n <= 0) {
                        return sb.toString();
                    }
                    sb.append(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.ISO_8859_1));
                }
            }
        }
        throw new AssertionError("the terminal was not hung up: " + printable(sb.toString()));
    }

    @Test
    void anInteractiveShellOnTheContainersTerminal() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = terminalBundle("/bin/sh", "-i");
        try (Arena a = Arena.ofConfined()) {
            long pid = createAndStart(j, bundle, "t1");

            expect("/ # ");
            type("echo hi\r");
            expect("echo hi\r\nhi\r\n/ # ");
            type("tty\r");
            expect("/dev/pts/0\r\n");
            type("stty -a\r");
            expect("rows 24; columns 80");
            expect("isig icanon iexten echo");

            // ^C: the line discipline echoes it and sends SIGINT to the foreground job only.
            type("sleep 100\r");
            expect("sleep 100\r\n");
            Thread.sleep(500);
            type("\003");
            expect("^C");
            type("echo status $?\r");
            expect("status 130\r\n");

            // Job control: a background job reading the terminal is stopped by SIGTTIN; fg gives it the terminal.
            type("cat &\r");
            expect("/ # ");
            Thread.sleep(1500); // cat starts, reads, and stops
            type("jobs\r");
            expect("Stopped (tty input)");
            expect("/ # "); // typed earlier, the line would race with the shell's own terminal modes, as natively
            type("fg\r");
            expect("cat\r\n");
            Thread.sleep(1000);
            type("hello\r");
            expect("hello\r\nhello\r\n");
            type("\004");
            expect("/ # ");

            // The master resized (as containerd does): the shell's foreground job gets SIGWINCH, and sees the size.
            type("sh -c 'trap \"echo got winch\" WINCH; sleep 3; stty size'\r");
            Thread.sleep(1500);
            resize(a, 30, 100);
            expect("got winch\r\n30 100\r\n");

            type("exit 3\r");
            assertEquals(3, Jrunsc.reap(pid), screen.toString());
            assertEquals(0, j.cmd("delete", "t1").status());
        } finally {
            if (master >= 0) {
                Host.close(master);
            }
        }
    }

    /**
     * {@code exec -t} into a running container with a terminal, as {@code ctr task exec -t} does: the exec'd
     * shell gets a terminal of its own, /dev/pts/1, emulated by the sentry over the new pty's slave, as its
     * controlling terminal with its group in the foreground: ^C typed on its master interrupts its foreground
     * job only. Closing the master hangs the terminal up: the shell gets SIGHUP and the exec ends with it.
     */
    @Test
    void execWithATerminalGetsItsOwnEmulatedTerminal() throws Exception {
        Jrunsc j = new Jrunsc(dir);
        Path bundle = terminalBundle("/bin/sh", "-i");
        int initMaster = -1;
        try (Arena a = Arena.ofConfined()) {
            long pid = createAndStart(j, bundle, "t2");
            expect("/ # ");
            initMaster = master;

            Path sock = Files.createTempDirectory("tty").resolve("e.sock");
            int listener = listen(a, sock);
            CompletableFuture<Jrunsc.Result> exec = CompletableFuture.supplyAsync(() -> {
                try {
                    return j.cmd("exec", "-t", "--console-socket", sock.toString(), "t2", "/bin/sh", "-i");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            awaitConnection(a, listener, exec);
            master = receiveFd(a, listener);
            Host.close(listener);
            screen.setLength(0);
            seen = 0;

            expect("/ # ");
            type("tty\r");
            expect("/dev/pts/1\r\n");
            type("ls /dev/pts\r");
            expect("0  1\r\n");
            // The terminal is its session's: ash turns job control off when it cannot take the terminal.
            assertTrue(!screen.toString().contains("job control"), screen.toString());
            type("sleep 100\r");
            expect("sleep 100\r\n");
            Thread.sleep(500);
            type("\003");
            expect("^C");
            type("echo status $?\r");
            expect("status 130\r\n");

            // The container's own terminal is another one: its shell still answers there.
            int execMaster = master;
            master = initMaster;
            StringBuilder execScreen = new StringBuilder(screen);
            screen.setLength(0);
            seen = 0;
            type("tty\r");
            expect("/dev/pts/0\r\n");

            // The exec's master closed (the user left): SIGHUP ends the exec'd shell, and the exec with it.
            Host.close(execMaster);
            Jrunsc.Result r = exec.get(60, TimeUnit.SECONDS);
            assertEquals(128 + 1, r.status(), r.err() + execScreen);
            type("ls /dev/pts\r");
            expect("0\r\n/ # ");

            type("exit 4\r");
            assertEquals(4, Jrunsc.reap(pid), screen.toString());
            assertEquals(0, j.cmd("delete", "t2").status());
        } finally {
            if (initMaster >= 0) {
                Host.close(initMaster);
            }
        }
    }

    private static int listen(Arena a, Path path) {
        int fd = Host.socket(MsgHdr.AF_UNIX, MsgHdr.SOCK_STREAM | MsgHdr.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, "socket");
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment addr = a.allocate(110);
        addr.set(JAVA_SHORT, 0, (short) MsgHdr.AF_UNIX);
        MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
        assertEquals(0, Host.bind(fd, addr, 2 + p.length + 1), "bind");
        assertEquals(0, Host.listen(fd, 1), "listen");
        return fd;
    }

    /** Waits for a connection on {@code listener}; fails with the command's output if it ends first. */
    private static void awaitConnection(Arena a, int listener, CompletableFuture<Jrunsc.Result> command)
            throws Exception {
        MemorySegment pfd = a.allocate(8);
        MemorySegment ts = a.allocate(16);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            pfd.set(JAVA_INT, 0, listener);
            pfd.set(JAVA_SHORT, 4, (short) 1);
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0);
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, 100_000_000L);
            if (Host.ppoll(pfd, 1, ts) > 0) {
                return;
            }
            if (command.isDone()) {
                Jrunsc.Result r = command.get();
                throw new AssertionError("no console connection; the command ended with " + r.status() + ": "
                        + r.err());
            }
        }
        throw new AssertionError("no console connection in 120 s");
    }

    /** Accepts create's connection and takes the fd it sends (runc's console-socket protocol). */
    private static int receiveFd(Arena a, int listener) {
        int conn = Host.accept4(listener, MsgHdr.SOCK_CLOEXEC);
        assertTrue(conn >= 0, "accept: " + Errno.name(-conn));
        try {
            MemorySegment data = a.allocate(64);
            MemorySegment iov = a.allocate(MsgHdr.IOVEC_SIZE);
            MemorySegment control = a.allocate(MsgHdr.cmsgSpace(4));
            MemorySegment msg = a.allocate(MsgHdr.SIZE);
            MsgHdr.set(msg, iov, data.address(), 64, control, control.byteSize());
            long n = Host.recvmsg(conn, msg, MsgHdr.MSG_CMSG_CLOEXEC);
            assertTrue(n > 0, "recvmsg: " + n);
            int[] fd = {-1};
            MsgHdr.forEachRight(control, MsgHdr.controlLen(msg), f -> fd[0] = f);
            assertTrue(fd[0] >= 0, "no fd came with the message");
            return fd[0];
        } finally {
            Host.close(conn);
        }
    }

    private void type(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(b.length);
            MemorySegment.copy(b, 0, buf, JAVA_BYTE, 0, b.length);
            assertEquals(b.length, Host.write(master, buf.address(), b.length));
        }
    }

    /** Reads the screen until {@code s} appears after what earlier expectations matched (20 s at most). */
    private void expect(String s) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8);
            MemorySegment ts = a.allocate(16);
            MemorySegment buf = a.allocate(4096);
            for (;;) {
                int at = screen.indexOf(s, seen);
                if (at >= 0) {
                    seen = at + s.length();
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + printable(s) + " on the screen: "
                            + printable(screen.substring(seen)));
                }
                pfd.set(JAVA_INT, 0, master);
                pfd.set(JAVA_SHORT, 4, (short) 1);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, 100_000_000L);
                if (Host.ppoll(pfd, 1, ts) > 0) {
                    long n = Host.read(master, buf.address(), 4096);
                    if (n > 0) {
                        screen.append(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.ISO_8859_1));
                    }
                }
            }
        }
    }

    private void resize(Arena a, int rows, int cols) {
        MemorySegment ws = a.allocate(Ioctls.WINSIZE_SIZE);
        ws.set(JAVA_SHORT, 0, (short) rows);
        ws.set(JAVA_SHORT, 2, (short) cols);
        assertEquals(0, Host.ioctl(master, Ioctls.TIOCSWINSZ, ws.address()));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 32 || c > 126 ? String.format("\\x%02x", (int) c) : Character.toString(c));
        }
        return b.toString();
    }
}
