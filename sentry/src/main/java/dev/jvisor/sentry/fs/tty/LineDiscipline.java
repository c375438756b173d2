package dev.jvisor.sentry.fs.tty;

import static dev.jvisor.abi.Termios.*;

import dev.jvisor.abi.Signals;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;

/**
 * The terminal's line discipline (Linux's N_TTY) on the sentry side: the termios the workload sets, the input
 * queue with canonical line editing, echo, the keyboard signals, and output post-processing. It does no I/O:
 * {@link #receive} takes typed bytes and leaves what must be echoed in {@link #drainEcho} and the signals to send
 * to the foreground group in {@link #drainSignals}; {@link #processOutput} turns what the workload writes into
 * what the screen gets. Not thread-safe: the {@link Terminal} serialises on it.
 *
 * <p>Left out: IXON flow control (^S and ^Q are ordinary input), ECHOPRT, PARMRK and parity, XCASE, tab
 * expansion (XTABS).
 */
public final class LineDiscipline {
    /** N_TTY_BUF_SIZE: a canonical line holds at most 4095 bytes plus its terminator. */
    static final int BUF_SIZE = 4096;

    private int iflag, oflag, cflag, lflag;
    private byte line;
    private final byte[] cc = new byte[NCCS];

    /** The line being edited (canonical mode). */
    private final ByteArrayOutputStream edit = new ByteArrayOutputStream();
    /**
     * Input readers may take: in canonical mode one entry per completed line (an empty one for an EOF typed on an
     * empty line); in non-canonical mode chunks that reads concatenate.
     */
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    /** How much of the head of {@link #ready} has been read. */
    private int headPos;
    /** Unread bytes in {@link #ready}. */
    private int readyBytes;
    /** The previous character was LNEXT: the next one is taken literally. */
    private boolean literalNext;
    /** The output column, for erasing a tab. */
    private int column;
    /** The column where the line being edited began, for erasing a tab. */
    private int canonColumn;

    private final ByteArrayOutputStream echo = new ByteArrayOutputStream();
    private long signals; // bit (sig - 1) per keyboard signal to send

    /** Linux's tty_std_termios as a pty slave gets it: what a new pty has. */
    public LineDiscipline() {
        iflag = ICRNL | IXON;
        oflag = OPOST | ONLCR;
        cflag = B38400 | CS8 | CREAD; // a pty's: no HUPCL
        lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        byte[] init = {3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0, 0, 0};
        System.arraycopy(init, 0, cc, 0, NCCS);
    }

    // ---- termios ----------------------------------------------------------------------------------------

    /** TCGETS: the 36-byte kernel termios into {@code dst}. */
    public void getTermios(byte[] dst) {
        putInt(dst, IFLAG, iflag);
        putInt(dst, OFLAG, oflag);
        putInt(dst, CFLAG, cflag);
        putInt(dst, LFLAG, lflag);
        dst[LINE] = line;
        System.arraycopy(cc, 0, dst, CC, NCCS);
    }

    /**
     * TCSETS: takes a new termios. Leaving canonical mode makes the line being edited readable; entering it
     * makes the unread input one readable line, as n_tty does.
     */
    public void setTermios(byte[] src) {
        boolean wasCanonical = canonical();
        iflag = getInt(src, IFLAG);
        oflag = getInt(src, OFLAG);
        cflag = getInt(src, CFLAG);
        lflag = getInt(src, LFLAG);
        line = src[LINE];
        System.arraycopy(src, CC, cc, 0, NCCS);
        if (wasCanonical && !canonical()) {
            commit(false);
            literalNext = false;
        } else if (!wasCanonical && canonical() && readyBytes > 0) {
            // n_tty pushes what is unread as one line: a reader in canonical mode gets it at once.
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            drainReady(pending);
            ready.addLast(pending.toByteArray());
            readyBytes = pending.size();
            literalNext = false;
        }
    }

    public boolean canonical() {
        return (lflag & ICANON) != 0;
    }

    public int lflag() {
        return lflag;
    }

    /** VMIN and VTIME (tenths of a second), for non-canonical reads. */
    public int vmin() {
        return cc[VMIN] & 0xff;
    }

    public int vtime() {
        return cc[VTIME] & 0xff;
    }

    // ---- input ------------------------------------------------------------------------------------------

    /** Processes typed bytes {@code buf[0, n)}. */
    public void receive(byte[] buf, int off, int n) {
        for (int i = off; i < off + n; i++) {
            receive(buf[i]);
        }
    }

    private void receive(byte b) {
        int c = b & 0xff;
        if ((iflag & ISTRIP) != 0) {
            c &= 0x7f;
        }
        if (literalNext) {
            literalNext = false;
            store(c); // its echo overwrites the "^" LNEXT left

            return;
        }
        if ((lflag & ISIG) != 0) {
            int sig = is(c, VINTR) ? Signals.SIGINT : is(c, VQUIT) ? Signals.SIGQUIT
                    : is(c, VSUSP) ? Signals.SIGTSTP : 0;
            if (sig != 0) {
                if ((lflag & NOFLSH) == 0) {
                    flushInput();
                    echo.reset(); // what this batch of input echoed is not shown either, as in n_tty
                }
                signals |= 1L << (sig - 1);
                if ((lflag & ECHO) != 0) {
                    echoChar(c);
                }
                return;
            }
        }
        if (c == '\r') {
            if ((iflag & IGNCR) != 0) {
                return;
            }
            if ((iflag & ICRNL) != 0) {
                c = '\n';
            }
        } else if (c == '\n' && (iflag & INLCR) != 0) {
            c = '\r';
        }
        if (canonical()) {
            boolean iexten = (lflag & IEXTEN) != 0;
            if (is(c, VERASE) || is(c, VKILL) || (iexten && is(c, VWERASE))) {
                erase(c);
                return;
            }
            if (iexten && is(c, VLNEXT)) {
                literalNext = true;
                if ((lflag & ECHO) != 0 && (lflag & ECHOCTL) != 0) {
                    echoRaw('^');
                    echoRaw('\b');
                }
                return;
            }
            if (iexten && is(c, VREPRINT) && (lflag & ECHO) != 0) {
                echoChar(c);
                echoRaw('\n');
                canonColumn = column;
                for (byte e : edit.toByteArray()) {
                    echoChar(e & 0xff);
                }
                return;
            }
            if (c == '\n') {
                if ((lflag & (ECHO | ECHONL)) != 0) {
                    echoRaw('\n');
                }
                edit.write(c);
                commit(true);
                return;
            }
            if (is(c, VEOF)) {
                commit(true); // the EOF character itself is not data
                return;
            }
            if (is(c, VEOL) || (iexten && is(c, VEOL2))) {
                if ((lflag & ECHO) != 0) {
                    echoChar(c);
                }
                edit.write(c);
                commit(true);
                return;
            }
        }
        store(c);
    }

    /** An ordinary character: echoed, then added to the line being edited or, non-canonical, to the input. */
    private void store(int c) {
        if ((lflag & ECHO) != 0) {
            if (canonical() && edit.size() == 0) {
                canonColumn = column;
            }
            echoChar(c);
        }
        if (canonical()) {
            if (edit.size() < BUF_SIZE - 1) {
                edit.write(c);
            }
        } else {
            ready.addLast(new byte[] {(byte) c});
            readyBytes++;
        }
    }

    /** Makes the line being edited readable (canonical: as one line, even when empty). */
    private void commit(boolean asLine) {
        if (edit.size() == 0 && !asLine) {
            return;
        }
        byte[] l = edit.toByteArray();
        edit.reset();
        ready.addLast(l);
        readyBytes += l.length;
    }

    /** ERASE, WERASE or KILL, as n_tty's eraser. */
    private void erase(int c) {
        byte[] buf = edit.toByteArray();
        int len = buf.length;
        if (len == 0) {
            return;
        }
        boolean echo = (lflag & ECHO) != 0;
        boolean kill = !is(c, VERASE) && !is(c, VWERASE);
        boolean werase = !kill && !is(c, VERASE);
        if (kill) {
            if (!echo) {
                edit.reset();
                return;
            }
            if ((lflag & ECHOK) == 0 || (lflag & ECHOKE) == 0 || (lflag & ECHOE) == 0) {
                edit.reset();
                echoChar(c);
                if ((lflag & ECHOK) != 0) {
                    echoRaw('\n');
                }
                return;
            }
        }
        int seenAlnums = 0;
        while (len > 0) {
            int start = len - 1;
            if ((iflag & IUTF8) != 0) {
                while (start > 0 && (buf[start] & 0xc0) == 0x80) {
                    start--; // a UTF-8 continuation byte: the character began earlier
                }
            }
            int ch = buf[start] & 0xff;
            if (werase) {
                if (Character.isLetterOrDigit(ch) && ch < 0x80 || ch == '_') {
                    seenAlnums++;
                } else if (seenAlnums > 0) {
                    break;
                }
            }
            len = start;
            if (echo) {
                if (!kill && !werase && (lflag & ECHOE) == 0) {
                    echoChar(cc[VERASE] & 0xff);
                } else if (ch == '\t') {
                    eraseTab(buf, len);
                } else {
                    if (isControl(ch) && (lflag & ECHOCTL) != 0) {
                        echoRaw('\b');
                        echoRaw(' ');
                        echoRaw('\b');
                    }
                    if (!isControl(ch) || (oflag & OPOST) == 0 || (lflag & ECHOCTL) != 0) {
                        echoRaw('\b');
                        echoRaw(' ');
                        echoRaw('\b');
                    }
                }
            }
            if (!kill && !werase) {
                break;
            }
        }
        edit.reset();
        edit.write(buf, 0, len);
    }

    /** Backs the cursor up over a tab: to the column the text before it ends at. */
    private void eraseTab(byte[] buf, int len) {
        int col = canonColumn;
        for (int i = 0; i < len; i++) {
            int ch = buf[i] & 0xff;
            if (ch == '\t') {
                col = (col | 7) + 1;
            } else if (isControl(ch)) {
                col += (lflag & ECHOCTL) != 0 ? 2 : 0;
            } else if ((iflag & IUTF8) == 0 || (ch & 0xc0) != 0x80) {
                col++;
            }
        }
        int back = column - col;
        for (int i = 0; i < back && i < 8; i++) {
            echoRaw('\b');
        }
    }

    private boolean is(int c, int index) {
        int v = cc[index] & 0xff;
        return v != DISABLED && c == v;
    }

    private static boolean isControl(int c) {
        return c < 32 || c == 127;
    }

    /** Echoes {@code c}, as ^X for a control character other than tab with ECHOCTL. */
    private void echoChar(int c) {
        if ((lflag & ECHOCTL) != 0 && isControl(c) && c != '\t') {
            echoRaw('^');
            echoRaw(c ^ 0100);
        } else {
            echoRaw(c);
        }
    }

    private void echoRaw(int c) {
        outputChar(c, echo);
    }

    // ---- reading ----------------------------------------------------------------------------------------

    /**
     * Whether a read would find input now: a completed line in canonical mode, else at least {@code min}
     * bytes.
     */
    public boolean readable(int min) {
        return canonical() ? !ready.isEmpty() : readyBytes >= Math.max(min, 1);
    }

    /** FIONREAD: bytes a read could take now (canonical: in completed lines only). */
    public int available() {
        return readyBytes;
    }

    /**
     * Takes up to {@code len} bytes of input into {@code dst}: in canonical mode from one line at most (an
     * empty line, EOF, gives 0 and is consumed). Returns the count, or -1 when there is nothing to take.
     */
    public int take(byte[] dst, int off, int len) {
        if (ready.isEmpty()) {
            return -1;
        }
        int n = 0;
        while (!ready.isEmpty() && n < len) {
            byte[] head = ready.peekFirst();
            int k = Math.min(head.length - headPos, len - n);
            System.arraycopy(head, headPos, dst, off + n, k);
            headPos += k;
            n += k;
            readyBytes -= k;
            if (headPos == head.length) {
                ready.removeFirst();
                headPos = 0;
                if (canonical()) {
                    break; // one line per read
                }
            } else if (canonical()) {
                break;
            }
        }
        if (canonical() && n == 0 && !ready.isEmpty() && ready.peekFirst().length == 0) {
            ready.removeFirst(); // an EOF: consumed, read returns 0
        }
        return n;
    }

    /** TCFLSH with TCIFLUSH, or a keyboard signal without NOFLSH: all input is dropped. */
    public void flushInput() {
        ready.clear();
        headPos = 0;
        readyBytes = 0;
        edit.reset();
        literalNext = false;
    }

    private void drainReady(ByteArrayOutputStream out) {
        byte[] tmp = new byte[Math.max(readyBytes, 1)];
        int n = take(tmp, 0, tmp.length);
        while (n >= 0) {
            out.write(tmp, 0, n);
            n = take(tmp, 0, tmp.length);
        }
    }

    // ---- echo and signals -------------------------------------------------------------------------------

    /** The bytes to echo since the last call (already output-processed). */
    public byte[] drainEcho() {
        if (echo.size() == 0) {
            return null;
        }
        byte[] b = echo.toByteArray();
        echo.reset();
        return b;
    }

    /** The keyboard signals typed since the last call, as a bit set (bit sig - 1). */
    public long drainSignals() {
        long s = signals;
        signals = 0;
        return s;
    }

    // ---- output -----------------------------------------------------------------------------------------

    /** What the screen gets for workload output {@code src[off, off + n)}, appended to {@code out}. */
    public void processOutput(byte[] src, int off, int n, ByteArrayOutputStream out) {
        for (int i = off; i < off + n; i++) {
            outputChar(src[i] & 0xff, out);
        }
    }

    /** n_tty's do_output_char: OPOST with ONLCR, OCRNL, ONOCR, ONLRET, OLCUC; tracks the column. */
    private void outputChar(int c, ByteArrayOutputStream out) {
        if ((oflag & OPOST) == 0) {
            out.write(c);
            return;
        }
        switch (c) {
            case '\n' -> {
                if ((oflag & ONLRET) != 0) {
                    column = 0;
                }
                if ((oflag & ONLCR) != 0) {
                    column = 0;
                    out.write('\r');
                }
                out.write('\n');
            }
            case '\r' -> {
                if ((oflag & ONOCR) != 0 && column == 0) {
                    return;
                }
                if ((oflag & OCRNL) != 0) {
                    if ((oflag & ONLRET) != 0) {
                        column = 0;
                    }
                    out.write('\n');
                    return;
                }
                column = 0;
                out.write('\r');
            }
            case '\t' -> {
                column = (column | 7) + 1;
                out.write('\t');
            }
            case '\b' -> {
                if (column > 0) {
                    column--;
                }
                out.write('\b');
            }
            default -> {
                if (!isControl(c)) {
                    if ((oflag & OLCUC) != 0 && c >= 'a' && c <= 'z') {
                        c -= 32;
                    }
                    if ((iflag & IUTF8) == 0 || (c & 0xc0) != 0x80) {
                        column++;
                    }
                }
                out.write(c);
            }
        }
    }

    private static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        b[off + 2] = (byte) (v >> 16);
        b[off + 3] = (byte) (v >> 24);
    }
}
