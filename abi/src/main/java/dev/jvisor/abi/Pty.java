package dev.jvisor.abi;

/** Pseudo-terminal ioctls (asm-generic/ioctls.h) for opening a host pty pair. */
public final class Pty {
    private Pty() {}

    /** TIOCSPTLCK: lock (non-zero) or unlock (0) the slave of a /dev/ptmx master. */
    public static final int TIOCSPTLCK = 0x40045431;
    /** TIOCGPTPEER: opens the master's slave with the given open flags; returns its fd (Linux 4.13). */
    public static final int TIOCGPTPEER = 0x5441;
    /** struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel, four unsigned shorts. */
    public static final long WINSIZE_SIZE = 8;
}
