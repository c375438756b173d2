package dev.jvisor.runsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Flag values in runc's formats: Go durations (events --interval) and docker sizes (update --memory). */
class FlagValuesTest {
    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(5), GoDuration.parse("--interval", "5s"));
        assertEquals(Duration.ofMillis(200), GoDuration.parse("--interval", "200ms"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("--interval", "1m30s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("--interval", "1.5h"));
        assertEquals(Duration.ofNanos(1500), GoDuration.parse("--interval", "1us500ns"));
        assertEquals(Duration.ZERO, GoDuration.parse("--interval", "0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "5 s", "5sec", "-5s", "1m 30s", "5s!"})
    void notDurations(String v) {
        assertEquals("invalid --interval '" + v + "': a duration such as 5s, 500ms or 1m30s",
                assertThrows(CliException.class, () -> GoDuration.parse("--interval", v)).getMessage());
    }

    @Test
    void sizes() {
        assertEquals(1048576, Update.size("--memory", "1048576"));
        assertEquals(512 << 10, Update.size("--memory", "512k"));
        assertEquals(64L << 20, Update.size("--memory", "64M"));
        assertEquals(64L << 20, Update.size("--memory", "64mb"));
        assertEquals(3L << 29, Update.size("--memory", "1.5g"));
        assertEquals(2L << 40, Update.size("--memory", "2TiB"));
        assertEquals(-1, Update.size("--memory", "-1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "-2", "1x", "k", "1 g g"})
    void notSizes(String v) {
        assertEquals("invalid --memory '" + v + "': a size such as 1048576, 512k, 64m or 1g",
                assertThrows(CliException.class, () -> Update.size("--memory", v)).getMessage());
    }

    @Test
    void aSizeBeyondInt64IsRefused() {
        assertEquals("invalid --memory '9000000p': too large",
                assertThrows(CliException.class, () -> Update.size("--memory", "9000000p")).getMessage());
    }
}
