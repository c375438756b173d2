package dev.jvisor.gofer.wire;

import dev.jvisor.abi.Errno;

/** The socket failed (or the peer went away mid-frame). */
public final class ChannelClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChannelClosedException(String what, int errno) {
        super(what + ": " + Errno.name(errno), null, false, false);
    }

    public ChannelClosedException(String message) {
        super(message, null, false, false);
    }
}
