package dev.jvisor.sentry.strace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Fcntl;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SyscallPrinterTest {
    @Test
    void buffersAreQuotedWithCEscapesAndTruncationMarked() {
        byte[] b = "hi\n\"x\"\t\u0001".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("\"hi\\n\\\"x\\\"\\t\\x01\"", SyscallPrinter.quote(b, b.length));
        assertEquals("\"ab\"...", SyscallPrinter.quote("ab".getBytes(StandardCharsets.US_ASCII), 100));
    }

    @Test
    void openFlagsPrintLikeStrace() {
        assertEquals("O_RDONLY", SyscallPrinter.openFlags(Fcntl.O_RDONLY));
        assertEquals("O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC",
                SyscallPrinter.openFlags(Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_CLOEXEC));
        assertEquals("O_RDWR|O_DIRECTORY|040000000", SyscallPrinter.openFlags(Fcntl.O_RDWR | Fcntl.O_DIRECTORY | 040000000));
    }

    @Test
    void elapsedTimesPickAReadableUnit() {
        assertEquals("850ns", SyscallPrinter.formatElapsed(850));
        assertEquals("12.5us", SyscallPrinter.formatElapsed(12_500));
        assertEquals("3.250ms", SyscallPrinter.formatElapsed(3_250_000));
    }
}
