package dev.jvisor.gofer.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireBufferTest {
    @Test
    void valuesRoundTripLittleEndian() {
        try (Arena a = Arena.ofConfined()) {
            WireBuffer b = new WireBuffer(a.allocate(64));
            b.putInt(0x01020304).putLong(-2L).putU16(0xfffe).putU8(0xff)
                    .putName("né".getBytes(StandardCharsets.UTF_8));
            assertEquals(0x04, b.getByteAt(0));
            b.limit(b.position());
            b.position(0);
            assertEquals(0x01020304, b.getInt());
            assertEquals(-2L, b.getLong());
            assertEquals(0xfffe, b.getU16());
            assertEquals(0xff, b.getU8());
            assertEquals("né", b.getName());
            assertEquals(0, b.remaining());
        }
    }

    @Test
    void readingPastTheFrameIsMalformed() {
        try (Arena a = Arena.ofConfined()) {
            WireBuffer b = new WireBuffer(a.allocate(64));
            b.limit(6);
            b.getInt();
            assertThrows(MalformedMessageException.class, b::getInt);
            b.position(0);
            // A name whose length field claims more bytes than the frame holds.
            b.putU16(1000);
            b.position(0);
            assertThrows(MalformedMessageException.class, b::getName);
        }
    }

    @Test
    void writingPastTheBufferIsRefused() {
        try (Arena a = Arena.ofConfined()) {
            WireBuffer b = new WireBuffer(a.allocate(8));
            b.putLong(1);
            assertThrows(MalformedMessageException.class, () -> b.putU8(1));
        }
    }
}
