package dev.jvisor.abi;

/**
 * The kernel's {@code struct termios} (asm-generic/termbits.h): four flag words, c_line and c_cc[19], 36 bytes
 * ({@link Ioctls#TERMIOS_SIZE}), with the flag bits and c_cc indices a line discipline needs, plus the terminal
 * ioctls that {@link Ioctls} lacks.
 */
public final class Termios {
    private Termios() {}

    /** Byte offsets in the struct. */
    public static final int IFLAG = 0, OFLAG = 4, CFLAG = 8, LFLAG = 12, LINE = 16, CC = 17;
    public static final int NCCS = 19;

    // c_cc indices
    public static final int VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6,
            VSWTC = 7, VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14,
            VLNEXT = 15, VEOL2 = 16;

    // c_iflag
    public static final int IGNBRK = 01, BRKINT = 02, IGNPAR = 04, PARMRK = 010, INPCK = 020, ISTRIP = 040,
            INLCR = 0100, IGNCR = 0200, ICRNL = 0400, IUCLC = 01000, IXON = 02000, IXANY = 04000, IXOFF = 010000,
            IMAXBEL = 020000, IUTF8 = 040000;

    // c_oflag
    public static final int OPOST = 01, OLCUC = 02, ONLCR = 04, OCRNL = 010, ONOCR = 020, ONLRET = 040;

    // c_cflag
    public static final int CSIZE = 060, CS8 = 060, CSTOPB = 0100, CREAD = 0200, PARENB = 0400, HUPCL = 02000,
            B38400 = 017;

    // c_lflag
    public static final int ISIG = 01, ICANON = 02, ECHO = 010, ECHOE = 020, ECHOK = 040, ECHONL = 0100,
            NOFLSH = 0200, TOSTOP = 0400, ECHOCTL = 01000, ECHOPRT = 02000, ECHOKE = 04000, FLUSHO = 010000,
            PENDIN = 040000, IEXTEN = 0100000, EXTPROC = 0200000;

    // TCFLSH arguments
    public static final int TCIFLUSH = 0, TCOFLUSH = 1, TCIOFLUSH = 2;

    /** Terminal ioctls not in {@link Ioctls}. */
    public static final int TIOCEXCL = 0x540C, TIOCNXCL = 0x540D, TIOCSTI = 0x5412, TIOCNOTTY = 0x5422,
            TIOCGPTN = 0x80045430, TIOCVHANGUP = 0x5437, TCGETS2 = 0x802c542a;

    /** Linux's disabled c_cc value (_POSIX_VDISABLE). */
    public static final int DISABLED = 0;
}
