package dev.jvisor.sentry.mm;

import dev.jvisor.abi.Errno;
import dev.jvisor.sentry.vfs.FileDescription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A FileDescription over a host file, for tests only (the sentry itself reaches files through the gofer). */
public final class HostFile extends FileDescription implements AutoCloseable {
    private final FileChannel ch;

    public HostFile(Path p) {
        try {
            ch = FileChannel.open(p, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A temporary file holding {@code bytes}. */
    public static HostFile of(Path dir, byte[] bytes) throws IOException {
        Path p = Files.createTempFile(dir, "hostfile", ".bin");
        Files.write(p, bytes);
        return new HostFile(p);
    }

    @Override
    public long pread(MemorySegment dst, long offset) {
        try {
            int n = ch.read(dst.asSlice(0, Math.min(dst.byteSize(), 1 << 30)).asByteBuffer(), offset);
            return n < 0 ? 0 : n;
        } catch (IOException e) {
            return Errno.EIO.ret();
        }
    }

    @Override
    public long size() {
        try {
            return ch.size();
        } catch (IOException e) {
            return Errno.EIO.ret();
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
