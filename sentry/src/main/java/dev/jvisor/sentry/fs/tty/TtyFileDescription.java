package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Ioctls;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Termios;
import dev.jvisor.sentry.kernel.ControllingTerminal;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.WaitQueue;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.VirtualDentry;
import java.lang.foreign.MemorySegment;

/** An open file of the sandbox's {@link Terminal} (/dev/pts/0, /dev/tty): reads, writes and the tty ioctls. */
public final class TtyFileDescription extends FileDescription {
    private final Terminal tty;

    public TtyFileDescription(VirtualDentry vd, int flags, Terminal tty) {
        super(vd, flags);
        this.tty = tty;
    }

    public Terminal terminal() {
        return tty;
    }

    private boolean nonblock() {
        return (flags() & Fcntl.O_NONBLOCK) != 0;
    }

    @Override
    public long readToUser(MemoryManager mm, long addr, long count) {
        try {
            return tty.read(Task.current(), mm, addr, count, nonblock());
        } catch (ErrnoException e) {
            return e.ret();
        }
    }

    @Override
    public long writeFromUser(MemoryManager mm, long addr, long count) {
        long done = 0;
        try {
            while (done < count) {
                int len = (int) Math.min(count - done, 4096);
                byte[] b = mm.readBytes(addr + done, len);
                long r = tty.write(Task.current(), b, len);
                if (r < 0) {
                    return done > 0 ? done : r;
                }
                done += r;
            }
            return done;
        } catch (ErrnoException e) {
            return done > 0 ? done : e.ret();
        }
    }

    @Override
    public long read(MemorySegment dst) {
        return Errno.EINVAL.ret(); // only read(2) into workload memory reaches a terminal
    }

    @Override
    public long write(MemorySegment src) {
        byte[] b = src.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return tty.write(Task.current(), b, b.length);
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long pwrite(MemorySegment src, long offset) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long seek(long off, int whence) {
        return Errno.ESPIPE.ret();
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public int readiness(int mask) {
        return tty.readiness();
    }

    @Override
    public WaitQueue eventQueue() {
        return tty.queue();
    }

    @Override
    public String anonymousName() {
        return path() == null ? "/dev/pts/0" : null;
    }

    /** The terminal ioctls, as drivers/tty/tty_io.c and n_tty answer them. */
    @Override
    public long ioctl(Task t, int request, long arg) {
        try {
            return switch (request) {
                case Ioctls.TCGETS -> {
                    byte[] b = tty.termios();
                    t.mm().writeBytes(arg, b, 0, b.length);
                    yield 0;
                }
                case Ioctls.TCSETS, Ioctls.TCSETSW, Ioctls.TCSETSF -> {
                    int r = check(t);
                    if (r < 0) {
                        yield r;
                    }
                    byte[] b = t.mm().readBytes(arg, Ioctls.TERMIOS_SIZE);
                    tty.setTermios(b, request == Ioctls.TCSETSF);
                    yield 0;
                }
                case Ioctls.TIOCGWINSZ -> {
                    short[] ws = tty.windowSize();
                    byte[] b = new byte[Ioctls.WINSIZE_SIZE];
                    for (int i = 0; i < 4; i++) {
                        b[2 * i] = (byte) ws[i];
                        b[2 * i + 1] = (byte) (ws[i] >> 8);
                    }
                    t.mm().writeBytes(arg, b, 0, b.length);
                    yield 0;
                }
                case Ioctls.TIOCSWINSZ -> {
                    byte[] b = t.mm().readBytes(arg, Ioctls.WINSIZE_SIZE);
                    short[] ws = new short[4];
                    for (int i = 0; i < 4; i++) {
                        ws[i] = (short) ((b[2 * i] & 0xff) | (b[2 * i + 1] & 0xff) << 8);
                    }
                    tty.setWindowSize(ws);
                    yield 0;
                }
                case Ioctls.FIONREAD -> {
                    t.mm().writeInt(arg, tty.available());
                    yield 0;
                }
                case Ioctls.TIOCOUTQ -> {
                    t.mm().writeInt(arg, 0); // output goes to the host at once
                    yield 0;
                }
                case Ioctls.TCFLSH -> {
                    int r = check(t);
                    if (r < 0) {
                        yield r;
                    }
                    if (arg == Termios.TCIFLUSH || arg == Termios.TCIOFLUSH) {
                        tty.flushInput();
                        yield 0;
                    }
                    yield arg == Termios.TCOFLUSH ? 0 : Errno.EINVAL.ret();
                }
                case Ioctls.TCXONC -> {
                    int r = check(t);
                    yield r < 0 ? r : arg >= 0 && arg <= 3 ? 0 : Errno.EINVAL.ret();
                }
                case Ioctls.TCSBRK -> 0; // drains output: it is written at once
                case Ioctls.TIOCSCTTY -> control().acquire(t.threadGroup(), arg == 1, t.creds().uid == 0, readable());
                case Termios.TIOCNOTTY -> control().release(t.threadGroup());
                case Ioctls.TIOCGPGRP -> {
                    int r = control().foregroundGroup(t.threadGroup());
                    if (r >= 0) {
                        t.mm().writeInt(arg, r);
                        r = 0;
                    }
                    yield r;
                }
                case Ioctls.TIOCSPGRP -> control().setForegroundGroup(t, t.mm().readInt(arg));
                case Ioctls.TIOCGSID -> {
                    int r = control().session(t.threadGroup());
                    if (r >= 0) {
                        t.mm().writeInt(arg, r);
                        r = 0;
                    }
                    yield r;
                }
                default -> Errno.ENOTTY.ret();
            };
        } catch (ErrnoException e) {
            return e.ret();
        }
    }

    /** Changing the terminal from a background group: SIGTTOU first (Linux's tty_check_change). */
    private int check(Task t) {
        return control().checkChange(t, Signals.SIGTTOU);
    }

    private ControllingTerminal control() {
        ControllingTerminal c = tty.control();
        if (c == null) {
            throw Errno.ENOTTY.exception();
        }
        return c;
    }
}
