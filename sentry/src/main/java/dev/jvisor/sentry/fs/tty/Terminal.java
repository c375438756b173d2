package dev.jvisor.sentry.fs.tty;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Poll;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Termios;
import dev.jvisor.sentry.kernel.ControllingTerminal;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.kernel.Waiter;
import dev.jvisor.sentry.mm.MemoryManager;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The sandbox's terminal, emulated by the sentry over a host pty slave (the container's console with {@code
 * process.terminal}). The host side is put in raw mode, so the host only moves bytes; the sentry's {@link
 * LineDiscipline} does what the workload's termios asks: line editing, echo, ^C to the foreground group. A reader
 * thread takes what is typed as it arrives (so echo and ^C work while nobody reads); workload output is
 * post-processed and written to the host fd. The window size lives here; {@link #hostResized} takes the host's
 * after a SIGWINCH.
 */
public final class Terminal {
    private static final int CHUNK = 4096;

    private final int hostFd;
    private final byte[] savedHostTermios;
    private final LineDiscipline ld = new LineDiscipline(); // guarded by this
    private final WaitQueue queue = new WaitQueue();
    private final Object writeLock = new Object();
    private final short[] winsize = new short[4]; // guarded by this
    private boolean hungUp; // guarded by this
    private volatile ControllingTerminal control; // set once by start; read by the input thread
    private Thread reader;
    private int stopFd = -1;
    private volatile boolean closed;
    private boolean hostClosed; // guarded by writeLock

    private Terminal(int hostFd, byte[] hostTermios) {
        this.hostFd = hostFd;
        this.savedHostTermios = hostTermios;
    }

    /**
     * Emulates a terminal over host tty {@code hostFd}: its termios becomes the workload's initial one, then the
     * host side goes raw. Throws {@code ErrnoException} (ENOTTY) when {@code hostFd} is no terminal.
     */
    public static Terminal open(int hostFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tio = a.allocate(Ioctls.TERMIOS_SIZE);
            int r = Host.ioctl(hostFd, Ioctls.TCGETS, tio.address());
            if (r < 0) {
                throw Errno.of(-r).exception();
            }
            byte[] host = tio.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            Terminal t = new Terminal(hostFd, host);
            t.ld.setTermios(host);
            MemorySegment raw = a.allocate(Ioctls.TERMIOS_SIZE);
            MemorySegment.copy(MemorySegment.ofArray(makeRaw(host)), 0, raw, 0, Ioctls.TERMIOS_SIZE);
            r = Host.ioctl(hostFd, Ioctls.TCSETS, raw.address());
            if (r < 0) {
                throw Errno.of(-r).exception();
            }
            t.readHostSize();
            return t;
        }
    }

    /** cfmakeraw(3) of a kernel termios: the host only moves bytes. */
    static byte[] makeRaw(byte[] tio) {
        byte[] r = tio.clone();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(Termios.IFLAG, b.getInt(Termios.IFLAG) & ~(Termios.IGNBRK | Termios.BRKINT | Termios.PARMRK
                | Termios.ISTRIP | Termios.INLCR | Termios.IGNCR | Termios.ICRNL | Termios.IXON));
        b.putInt(Termios.OFLAG, b.getInt(Termios.OFLAG) & ~Termios.OPOST);
        b.putInt(Termios.LFLAG, b.getInt(Termios.LFLAG) & ~(Termios.ECHO | Termios.ECHONL | Termios.ICANON
                | Termios.ISIG | Termios.IEXTEN));
        b.putInt(Termios.CFLAG, (b.getInt(Termios.CFLAG) & ~(Termios.CSIZE | Termios.PARENB)) | Termios.CS8);
        r[Termios.CC + Termios.VMIN] = 1;
        r[Termios.CC + Termios.VTIME] = 0;
        return r;
    }

    /** Starts taking input, for {@code kernel}'s processes. */
    public synchronized void start(Kernel kernel) {
        if (control != null) {
            return;
        }
        control = new ControllingTerminal(kernel, this);
        stopFd = Host.eventfd(0, 02000000 | 04000);
        reader = Thread.ofPlatform().daemon().name("tty-input").start(this::readLoop);
    }

    /** The kernel's view: session, foreground group. Null before {@link #start}. */
    public synchronized ControllingTerminal control() {
        return control;
    }

    /** Stops the input thread and gives the host tty its termios back. */
    public void close() {
        closed = true;
        int sfd;
        synchronized (this) {
            sfd = stopFd;
        }
        if (sfd >= 0) {
            Host.eventfdSignal(sfd);
        }
        Thread r = reader;
        if (r != null) {
            try {
                r.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tio = a.allocate(Ioctls.TERMIOS_SIZE);
            MemorySegment.copy(MemorySegment.ofArray(savedHostTermios), 0, tio, 0, Ioctls.TERMIOS_SIZE);
            Host.ioctl(hostFd, Ioctls.TCSETS, tio.address());
        }
        if (sfd >= 0 && (r == null || !r.isAlive())) {
            Host.close(sfd);
        }
    }

    /**
     * The end of a terminal the sentry owns the host fd of ({@code exec -t}'s): hangs it up (SIGHUP and SIGCONT
     * to the foreground group; reads give end of file, writes EIO), stops the input thread, and closes the host
     * fd. A write still in progress finishes first; none reaches the fd after.
     */
    public void release() {
        synchronized (writeLock) {
            if (hostClosed) {
                return;
            }
        }
        hangup();
        close();
        Thread r = reader;
        synchronized (writeLock) {
            if (hostClosed) {
                return;
            }
            hostClosed = true;
            if (r != null && r.isAlive()) {
                // Never seen: the fd could be reused under the thread's read. Leaked rather than misused.
                Log.warn("tty: the input thread did not stop; its host fd " + hostFd + " stays open");
                return;
            }
            Host.close(hostFd);
        }
    }

    private void readLoop() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(16);
            MemorySegment buf = a.allocate(CHUNK);
            byte[] bytes = new byte[CHUNK];
            while (!closed) {
                pfd.set(JAVA_INT, 0, hostFd);
                pfd.set(JAVA_SHORT, 4, (short) Poll.POLLIN);
                pfd.set(JAVA_SHORT, 6, (short) 0);
                pfd.set(JAVA_INT, 8, stopFd);
                pfd.set(JAVA_SHORT, 12, (short) Poll.POLLIN);
                pfd.set(JAVA_SHORT, 14, (short) 0);
                int r = Host.ppoll(pfd, 2, MemorySegment.NULL);
                if (r < 0 && r != (int) Errno.EINTR.ret()) {
                    Log.warn("tty: ppoll: " + Errno.name(-r));
                    break;
                }
                if (closed || pfd.get(JAVA_SHORT, 14) != 0) {
                    break;
                }
                if (pfd.get(JAVA_SHORT, 6) == 0) {
                    continue;
                }
                long n = Host.read(hostFd, buf.address(), CHUNK);
                if (n > 0) {
                    MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) n);
                    input(bytes, (int) n);
                } else if (n == 0 || n == Errno.EIO.ret()) {
                    hangup(); // the master is closed
                    break;
                } else if (n != Errno.EAGAIN.ret() && n != Errno.EINTR.ret()) {
                    Log.warn("tty: read: " + Errno.name((int) -n));
                    break;
                }
            }
        }
    }

    /** What was typed: through the line discipline, then its echo to the screen and its signals. */
    void input(byte[] b, int n) {
        byte[] echo;
        long sigs;
        synchronized (this) {
            ld.receive(b, 0, n);
            echo = ld.drainEcho();
            sigs = ld.drainSignals();
        }
        if (echo != null) {
            writeHost(echo, echo.length);
        }
        ControllingTerminal c = control;
        for (int sig = 1; sigs != 0 && c != null; sig++, sigs >>>= 1) {
            if ((sigs & 1) != 0) {
                c.signalForeground(sig);
            }
        }
        queue.notify(WaitQueue.EVENT_IN);
    }

    /** The other side is gone: readers get end of file, writers EIO, the session leader SIGHUP and SIGCONT. */
    public void hangup() {
        synchronized (this) {
            if (hungUp) {
                return;
            }
            hungUp = true;
        }
        ControllingTerminal c = control;
        if (c != null) {
            c.signalSessionLeader(Signals.SIGHUP);
            c.signalSessionLeader(Signals.SIGCONT);
        }
        queue.notify(WaitQueue.ALL);
    }

    private void writeHost(byte[] b, int len) {
        synchronized (writeLock) {
            if (hostClosed) {
                return;
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment seg = a.allocate(Math.max(len, 1));
                MemorySegment.copy(b, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, len);
                long off = 0;
                while (off < len) {
                    long n = Host.write(hostFd, seg.address() + off, len - off);
                    if (n == Errno.EINTR.ret() || n == Errno.EAGAIN.ret()) {
                        continue;
                    }
                    if (n <= 0) {
                        return; // the master is gone: the output is lost, as the pty would drop it
                    }
                    off += n;
                }
            }
        }
    }

    // ---- the file operations --------------------------------------------------------------------------

    WaitQueue queue() {
        return queue;
    }

    /** poll(2) events. */
    synchronized int readiness() {
        if (hungUp) {
            return Poll.POLLIN | Poll.POLLOUT | Poll.POLLERR | Poll.POLLHUP | Poll.POLLRDNORM | Poll.POLLWRNORM;
        }
        int min = !ld.canonical() && ld.vtime() == 0 && ld.vmin() > 0 ? ld.vmin() : 1;
        int m = Poll.POLLOUT | Poll.POLLWRNORM;
        if (ld.readable(min)) {
            m |= Poll.POLLIN | Poll.POLLRDNORM;
        }
        return m;
    }

    /**
     * read(2) by {@code t} of up to {@code count} bytes to {@code addr}: a line in canonical mode; else as VMIN
     * and VTIME say. A background group gets SIGTTIN first (see {@link ControllingTerminal#checkChange}).
     */
    long read(Task t, MemoryManager mm, long addr, long count, boolean nonblock) {
        if (t != null && control != null) {
            int r = control.checkChange(t, Signals.SIGTTIN);
            if (r < 0) {
                return r;
            }
        }
        if (count == 0) {
            return 0;
        }
        byte[] kb = new byte[(int) Math.min(count, CHUNK)];
        long copied = 0;
        long deadline = Waiter.FOREVER;
        boolean first = true;
        for (;;) {
            int n;
            int minimum;
            boolean canonical;
            synchronized (this) {
                canonical = ld.canonical();
                int vmin = ld.vmin();
                int vtime = ld.vtime();
                minimum = canonical ? 1 : Math.max(vmin, 1);
                if (first && !canonical) {
                    deadline = vmin == 0 ? System.nanoTime() + vtime * 100_000_000L : Waiter.FOREVER;
                }
                first = false;
                int want = (int) Math.min(kb.length, count - copied);
                n = ld.readable(1) ? ld.take(kb, 0, want) : -1;
                if (n >= 0 && !canonical && vmin > 0 && vtime > 0) {
                    deadline = System.nanoTime() + vtime * 100_000_000L; // the inter-byte timer restarts
                }
                if (n < 0 && hungUp) {
                    return copied;
                }
            }
            if (n >= 0) {
                mm.writeBytes(addr + copied, kb, 0, n);
                copied += n;
                if (canonical || copied >= count || copied >= minimum) {
                    return copied;
                }
                continue;
            }
            if (deadline != Waiter.FOREVER && deadline - System.nanoTime() <= 0) {
                return copied;
            }
            if (nonblock || t == null) {
                return copied > 0 ? copied : Errno.EAGAIN.ret();
            }
            queue.register(t.waiter(), WaitQueue.EVENT_IN | WaitQueue.EVENT_HUP);
            try {
                synchronized (this) {
                    if (ld.readable(1) || hungUp) {
                        continue;
                    }
                }
                int r = t.waiter().await(deadline);
                if (r == (int) Errno.ERESTARTSYS.ret()) {
                    return copied > 0 ? copied : r;
                }
            } finally {
                queue.unregister(t.waiter());
            }
        }
    }

    /** write(2): post-processed (OPOST) to the host. With TOSTOP, a background group gets SIGTTOU first. */
    long write(Task t, byte[] src, int len) {
        if (t != null && control != null && (lflag() & Termios.TOSTOP) != 0) {
            int r = control.checkChange(t, Signals.SIGTTOU);
            if (r < 0) {
                return r;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 16);
        synchronized (this) {
            if (hungUp) {
                return Errno.EIO.ret();
            }
            ld.processOutput(src, 0, len, out);
        }
        byte[] b = out.toByteArray();
        writeHost(b, b.length);
        return len;
    }

    synchronized int lflag() {
        return ld.lflag();
    }

    synchronized byte[] termios() {
        byte[] b = new byte[Ioctls.TERMIOS_SIZE];
        ld.getTermios(b);
        return b;
    }

    /** TCSETS; {@code flush}: TCSETSF also drops pending input. */
    void setTermios(byte[] b, boolean flush) {
        synchronized (this) {
            ld.setTermios(b);
            if (flush) {
                ld.flushInput();
            }
        }
        queue.notify(WaitQueue.EVENT_IN);
    }

    synchronized void flushInput() {
        ld.flushInput();
    }

    synchronized int available() {
        return ld.available();
    }

    synchronized short[] windowSize() {
        return winsize.clone();
    }

    /** TIOCSWINSZ: a new size; the foreground group gets SIGWINCH when it changed. */
    void setWindowSize(short[] ws) {
        boolean changed;
        synchronized (this) {
            changed = !Arrays.equals(ws, winsize);
            System.arraycopy(ws, 0, winsize, 0, 4);
        }
        ControllingTerminal c = control;
        if (changed && c != null) {
            c.signalForeground(Signals.SIGWINCH);
        }
    }

    /** The host was resized (the sandbox process got SIGWINCH): takes its size and tells the foreground group. */
    public void hostResized() {
        short[] old = windowSize();
        readHostSize();
        ControllingTerminal c = control;
        if (c != null && !Arrays.equals(old, windowSize())) {
            c.signalForeground(Signals.SIGWINCH);
        }
    }

    private void readHostSize() {
        try (Arena a = Arena.ofConfined()) {
            if (closed) {
                return;
            }
            MemorySegment ws = a.allocate(Ioctls.WINSIZE_SIZE);
            if (Host.ioctl(hostFd, Ioctls.TIOCGWINSZ, ws.address()) == 0) {
                synchronized (this) {
                    for (int i = 0; i < 4; i++) {
                        winsize[i] = ws.get(JAVA_SHORT, 2L * i);
                    }
                }
            }
        }
    }
}
