package dev.jvisor.abi;

/** ioctl(2) request numbers (asm-generic/ioctls.h) and the sizes of the structs they carry. */
public final class Ioctls {
    private Ioctls() {}

    public static final int TCGETS = 0x5401;
    public static final int TCSETS = 0x5402;
    public static final int TCSETSW = 0x5403;
    public static final int TCSETSF = 0x5404;
    public static final int TCSBRK = 0x5409;
    public static final int TCXONC = 0x540A;
    public static final int TCFLSH = 0x540B;
    public static final int TIOCSCTTY = 0x540E;
    public static final int TIOCGPGRP = 0x540F;
    public static final int TIOCSPGRP = 0x5410;
    public static final int TIOCOUTQ = 0x5411;
    public static final int TIOCGWINSZ = 0x5413;
    public static final int TIOCSWINSZ = 0x5414;
    public static final int FIONREAD = 0x541B;
    public static final int FIONBIO = 0x5421;
    public static final int TIOCGSID = 0x5429;
    public static final int FIONCLEX = 0x5450;
    public static final int FIOCLEX = 0x5451;
    public static final int FIOASYNC = 0x5452;

    /** The kernel's {@code struct termios} (not glibc's larger one): 4 flags words, c_line, c_cc[19]. */
    public static final int TERMIOS_SIZE = 36;
    /** {@code struct winsize}: four unsigned shorts. */
    public static final int WINSIZE_SIZE = 8;
}
