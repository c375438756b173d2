package dev.jvisor.abi;

/** A host call that failed where the caller cannot go on: names the call and its errno. */
public final class HostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public HostException(String what, int errno) {
        super(what + ": " + Errno.name(errno) + " (" + describe(errno) + ")");
        this.errno = errno;
    }

    private static String describe(int errno) {
        Errno e = Errno.of(errno);
        return e == null ? "unknown error" : e.description();
    }

    public int errno() {
        return errno;
    }
}
