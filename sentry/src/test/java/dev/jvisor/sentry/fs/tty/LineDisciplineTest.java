package dev.jvisor.sentry.fs.tty;

import static dev.jvisor.abi.Termios.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Signals;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The line discipline, rule by rule, each checked against Linux's own: the same termios and the same typed bytes
 * go into a real host pty, and what the host echoes and what a reader of its slave gets must be what ours gives.
 * Keyboard signals, which the host's pty (no session) cannot show, are checked against the specification.
 */
class LineDisciplineTest {
    /** What typing did: the screen (echo) and the successive reads (one line each in canonical mode). */
    record Outcome(String screen, List<String> reads) {}

    private static String s(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A termios with {@code set} and {@code clear} applied to the flag word at {@code off}. */
    private static UnaryOperator<byte[]> flags(int off, int set, int clear) {
        return tio -> {
            byte[] r = tio.clone();
            ByteBuffer bb = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
            bb.putInt(off, (bb.getInt(off) | set) & ~clear);
            return r;
        };
    }

    private static UnaryOperator<byte[]> cc(int index, int value) {
        return tio -> {
            byte[] r = tio.clone();
            r[CC + index] = (byte) value;
            return r;
        };
    }

    private static Outcome host(UnaryOperator<byte[]> tio, String input) {
        try (HostPty p = new HostPty()) {
            p.setTermios(tio.apply(p.termios()));
            p.type(b(input));
            String screen = s(p.screen());
            List<String> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                byte[] r = p.readSlave(100);
                if (r == null) {
                    break;
                }
                reads.add(s(r));
                if (r.length == 0 && (ByteBuffer.wrap(p.termios()).order(ByteOrder.LITTLE_ENDIAN)
                        .getInt(LFLAG) & ICANON) == 0) {
                    break;
                }
            }
            return new Outcome(screen, reads);
        }
    }

    private static Outcome ours(LineDiscipline ld, UnaryOperator<byte[]> tio, String input) {
        byte[] t = new byte[36];
        ld.getTermios(t);
        ld.setTermios(tio.apply(t));
        ld.receive(b(input), 0, input.length());
        String screen = s(ld.drainEcho());
        List<String> reads = new ArrayList<>();
        byte[] buf = new byte[100];
        for (int i = 0; i < 8; i++) {
            int n = ld.take(buf, 0, buf.length);
            if (n < 0) {
                break;
            }
            reads.add(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return new Outcome(screen, reads);
    }

    /** Asserts that ours does what the host does; returns the outcome for further checks. */
    private static Outcome same(UnaryOperator<byte[]> tio, String input) {
        Outcome want = host(tio, input);
        Outcome got = ours(new LineDiscipline(), tio, input);
        assertEquals(want, got, "typing " + input.chars().mapToObj(c -> c < 32 || c > 126
                ? String.format("\\x%02x", c) : Character.toString(c)).reduce("", String::concat));
        return got;
    }

    private static final UnaryOperator<byte[]> DEFAULT = UnaryOperator.identity();

    @Test
    void aNewTerminalHasLinuxsDefaultTermios() {
        byte[] want;
        try (HostPty p = new HostPty()) {
            want = p.termios();
        }
        byte[] got = new byte[36];
        new LineDiscipline().getTermios(got);
        assertArrayEquals(want, got);
    }

    @Test
    void canonicalModeGivesOneLinePerReadAndEchoesWithCrLf() {
        Outcome o = same(DEFAULT, "one\ntwo\n");
        assertEquals(List.of("one\n", "two\n"), o.reads());
        assertEquals("one\r\ntwo\r\n", o.screen());
    }

    @Test
    void anUnfinishedLineIsNotReadable() {
        assertEquals(List.of(), same(DEFAULT, "partial").reads());
    }

    @Test
    void eraseRemovesOneCharacterAndEchoesBackspaceSpaceBackspace() {
        Outcome o = same(DEFAULT, "abc\177d\n");
        assertEquals(List.of("abd\n"), o.reads());
    }

    @Test
    void eraseWithoutEchoeEchoesTheEraseCharacter() {
        same(flags(LFLAG, 0, ECHOE), "abc\177\n");
    }

    @Test
    void eraseOfAControlCharacterRemovesItsTwoColumns() {
        same(DEFAULT, "a\001\177\n");
    }

    @Test
    void eraseOfATabBacksUpToTheColumnBeforeIt() {
        same(DEFAULT, "ab\t\177c\n");
    }

    @Test
    void killErasesTheWholeLine() {
        same(DEFAULT, "hello\025bye\n");
        same(flags(LFLAG, 0, ECHOKE), "hello\025bye\n");
        same(flags(LFLAG, 0, ECHOKE | ECHOK), "hello\025bye\n");
    }

    @Test
    void weraseErasesTheLastWordAndTheBlanksAfterIt() {
        Outcome o = same(DEFAULT, "foo bar  \027baz\n");
        assertEquals(List.of("foo baz\n"), o.reads());
        same(DEFAULT, "a-b\027\n");
    }

    @Test
    void eofEndsALineWithoutANewlineAndOnAnEmptyLineReadsZero() {
        Outcome o = same(DEFAULT, "ab\004\004");
        assertEquals(List.of("ab", ""), o.reads());
    }

    @Test
    void eolEndsALineToo() {
        same(cc(VEOL, ';'), "ab;cd\n");
    }

    @Test
    void lnextTakesTheNextCharacterLiterally() {
        Outcome o = same(DEFAULT, "\026\003\026\177x\n");
        assertEquals(List.of("\003\177x\n"), o.reads());
    }

    @Test
    void reprintEchoesTheLineAgain() {
        same(DEFAULT, "abc\022d\n");
    }

    @Test
    void noEchoShowsNothingAndEchonlShowsOnlyNewlines() {
        assertEquals("", same(flags(LFLAG, 0, ECHO), "secret\n").screen());
        assertEquals("\r\n", same(flags(LFLAG, ECHONL, ECHO), "secret\n").screen());
    }

    @Test
    void echoctlShowsControlCharactersAsCaretLetter() {
        same(DEFAULT, "a\001\033b\n");
        same(flags(LFLAG, 0, ECHOCTL), "a\001b\n");
    }

    @Test
    void carriageReturnTranslation() {
        assertEquals(List.of("a\n"), same(DEFAULT, "a\r").reads());
        assertEquals(List.of(), same(flags(IFLAG, 0, ICRNL), "a\r").reads());
        assertEquals(List.of("ab\n"), same(flags(IFLAG, IGNCR, 0), "a\rb\n").reads());
        assertEquals(List.of("a\r"), same(t -> flags(LFLAG, 0, ICANON).apply(flags(IFLAG, INLCR, 0).apply(t)), "a\n")
                .reads());
    }

    @Test
    void nonCanonicalInputIsReadableAtOnce() {
        Outcome o = same(flags(LFLAG, 0, ICANON), "xy\177\n");
        assertEquals(List.of("xy\177\n"), o.reads());
    }

    @Test
    void outputPostProcessing() {
        for (UnaryOperator<byte[]> tio : List.of(DEFAULT, flags(OFLAG, 0, OPOST), flags(OFLAG, 0, ONLCR),
                flags(OFLAG, OCRNL, 0), flags(OFLAG, ONOCR, 0), flags(OFLAG, OLCUC, 0))) {
            String out = "ab\ncd\r\rx\ty\n";
            String want;
            try (HostPty p = new HostPty()) {
                p.setTermios(tio.apply(p.termios()));
                p.writeSlave(b(out));
                want = s(p.screen());
            }
            LineDiscipline ld = new LineDiscipline();
            byte[] t = new byte[36];
            ld.getTermios(t);
            ld.setTermios(tio.apply(t));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ld.processOutput(b(out), 0, out.length(), got);
            assertEquals(want, s(got.toByteArray()));
        }
    }

    @Test
    void interruptEchoesCaretCFlushesInputAndSignalsTheForegroundGroup() {
        Outcome o = same(DEFAULT, "abc\003");
        assertEquals("^C", o.screen(), "the echo of the same batch of input is flushed too");
        assertEquals(List.of(), o.reads(), "the line being edited is flushed");
        LineDiscipline ld = new LineDiscipline();
        ld.receive(b("x\003\034\032"), 0, 4);
        assertEquals(1L << (Signals.SIGINT - 1) | 1L << (Signals.SIGQUIT - 1) | 1L << (Signals.SIGTSTP - 1),
                ld.drainSignals());
        assertEquals(0, ld.drainSignals(), "drained");
    }

    @Test
    void noflshKeepsTheInputOnASignal() {
        Outcome o = same(flags(LFLAG, NOFLSH, 0), "ab\003c\n");
        assertEquals(List.of("abc\n"), o.reads());
    }

    @Test
    void withoutIsigTheInterruptCharacterIsData() {
        LineDiscipline ld = new LineDiscipline();
        Outcome o = same(flags(LFLAG, 0, ISIG), "a\003\n");
        assertEquals(List.of("a\003\n"), o.reads());
        ld.receive(b("\003"), 0, 1);
        assertEquals(1L << (Signals.SIGINT - 1), ld.drainSignals());
        byte[] t = new byte[36];
        ld.getTermios(t);
        ld.setTermios(flags(LFLAG, 0, ISIG).apply(t));
        ld.receive(b("\003"), 0, 1);
        assertEquals(0, ld.drainSignals());
    }

    @Test
    void leavingCanonicalModeMakesThePartialLineReadable() {
        LineDiscipline ld = new LineDiscipline();
        ld.receive(b("abc"), 0, 3);
        assertEquals(false, ld.readable(1));
        byte[] t = new byte[36];
        ld.getTermios(t);
        ld.setTermios(flags(LFLAG, 0, ICANON).apply(t));
        assertEquals(3, ld.available());
        byte[] buf = new byte[2];
        assertEquals(2, ld.take(buf, 0, 2), "non-canonical reads take what fits");
        assertEquals("ab", s(buf));
    }

    @Test
    void enteringCanonicalModeMakesUnreadInputOneLine() {
        UnaryOperator<byte[]> raw = flags(LFLAG, 0, ICANON);
        List<String> want = new ArrayList<>();
        try (HostPty p = new HostPty()) {
            byte[] cooked = p.termios();
            p.setTermios(raw.apply(cooked));
            p.type(b("ab\ncd"));
            p.setTermios(cooked);
            for (byte[] r = p.readSlave(100); r != null; r = p.readSlave(100)) {
                want.add(s(r));
            }
        }
        LineDiscipline ld = new LineDiscipline();
        byte[] cooked = new byte[36];
        ld.getTermios(cooked);
        ld.setTermios(raw.apply(cooked));
        ld.receive(b("ab\ncd"), 0, 5);
        ld.setTermios(cooked);
        List<String> got = new ArrayList<>();
        byte[] buf = new byte[100];
        for (int n = ld.take(buf, 0, 100); n >= 0; n = ld.take(buf, 0, 100)) {
            got.add(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        assertEquals(want, got);
        assertEquals(List.of("ab\ncd"), got);
    }

    @Test
    void vminSaysHowManyBytesMakeTheTerminalReadableForPoll() {
        LineDiscipline ld = new LineDiscipline();
        byte[] t = new byte[36];
        ld.getTermios(t);
        ld.setTermios(cc(VMIN, 3).apply(flags(LFLAG, 0, ICANON).apply(t)));
        assertEquals(3, ld.vmin());
        ld.receive(b("ab"), 0, 2);
        assertEquals(false, ld.readable(3));
        ld.receive(b("c"), 0, 1);
        assertEquals(true, ld.readable(3));
    }
}
