package dev.jvisor.runsc.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.runsc.container.ContainerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Sends one request to a sandbox's control socket and reads the answer. */
public final class ControlClient {
    private ControlClient() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Sends {@code request} to the sentry listening on {@code socket}; blocks until it answers (a wait answers
     * when the init exits).
     *
     * @throws SandboxGoneException when nothing listens there any more (the sandbox exited or was killed)
     * @throws ContainerException when the sentry refuses the request
     */
    public static ControlResponse call(Path socket, ControlRequest request) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new SandboxGoneException(socket, e);
            }
            ByteBuffer out = ByteBuffer.wrap((JSON.writeValueAsString(request) + "\n").getBytes());
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.shutdownOutput();
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (ch.read(b) >= 0) {
                in.write(b.array(), 0, b.position());
                b.clear();
            }
            if (in.size() == 0) {
                throw new SandboxGoneException(socket, null); // it exited while answering
            }
            ControlResponse r = JSON.readValue(in.toByteArray(), ControlResponse.class);
            if (!r.ok()) {
                throw new ContainerException(r.error());
            }
            return r;
        } catch (IOException e) {
            throw new ContainerException("control socket " + socket + ": " + e.getMessage(), e);
        }
    }

    /** The sandbox process no longer listens on its control socket. */
    public static final class SandboxGoneException extends ContainerException {
        private static final long serialVersionUID = 1L;

        SandboxGoneException(Path socket, Throwable cause) {
            super("the sandbox is not running (no answer on " + socket + ")", cause);
        }
    }
}
