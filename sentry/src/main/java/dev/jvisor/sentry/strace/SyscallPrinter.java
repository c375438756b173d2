package dev.jvisor.sentry.strace;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.Sysno;
import dev.jvisor.sentry.kernel.Strace;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.syscalls.SyscallArguments;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * --strace: one line at each syscall's entry and exit, in the form
 * {@code [pid:tid] comm E|X name(decoded args) = ret (errno) (elapsed)}, written to the debug log (or stderr when
 * there is no debug log: the CLI points {@link Log} there). Arguments are decoded by the kinds in
 * {@link SyscallSignatures}; buffers show at most {@value #MAX_BYTES} bytes.
 */
public final class SyscallPrinter implements Strace {
    static final int MAX_BYTES = 64;

    private final Consumer<String> sink;

    /** Prints to {@code sink}, one call per line. */
    public SyscallPrinter(Consumer<String> sink) {
        this.sink = sink;
    }

    /**
     * Where --strace lines go: the debug log when there is one, else this process's stderr (which the workload
     * shares: the user asked for the trace there).
     */
    public static SyscallPrinter toDebugLogOrStderr() {
        if (Log.enabled()) {
            return new SyscallPrinter(Log::raw);
        }
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        return new SyscallPrinter(err::println);
    }

    @Override
    public void enter(Task t, SyscallArguments a) {
        sink.accept(prefix(t, 'E') + Sysno.name(a.nr) + "(" + args(t, a, Long.MIN_VALUE) + ")");
    }

    @Override
    public void exit(Task t, SyscallArguments a, long ret, long elapsedNanos) {
        StringBuilder sb = new StringBuilder(prefix(t, 'X')).append(Sysno.name(a.nr)).append('(')
                .append(args(t, a, ret)).append(") = ");
        if (ret < 0 && ret > -4096) {
            sb.append(ret).append(" (").append(Errno.name((int) -ret)).append(')');
        } else {
            sb.append(SyscallSignatures.returnsAddress(a.nr) ? "0x" + Long.toHexString(ret) : Long.toString(ret));
        }
        sb.append(" (").append(formatElapsed(elapsedNanos)).append(')');
        sink.accept(sb.toString());
    }

    private static String prefix(Task t, char phase) {
        return "[" + t.pid() + ":" + t.tid() + "] " + t.comm() + " " + phase + " ";
    }

    static String formatElapsed(long ns) {
        if (ns < 1_000) {
            return ns + "ns";
        }
        if (ns < 1_000_000) {
            return String.format("%.1fus", ns / 1e3);
        }
        return String.format("%.3fms", ns / 1e6);
    }

    /** Decodes the arguments; {@code ret} is the result on exit, or Long.MIN_VALUE at entry. */
    private static String args(Task t, SyscallArguments a, long ret) {
        String sig = SyscallSignatures.of(a.nr);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sig.length(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(decode(t, sig.charAt(i), a.get(i), i + 1 < 6 ? a.get(i + 1) : 0, ret));
        }
        return sb.toString();
    }

    private static String decode(Task t, char kind, long v, long next, long ret) {
        return switch (kind) {
            case 'd' -> Long.toString((int) v);
            case 'u' -> Long.toUnsignedString(v);
            case 'D' -> (int) v == Fcntl.AT_FDCWD ? "AT_FDCWD" : Integer.toString((int) v);
            case 's' -> path(t, v);
            case 'i' -> buffer(t, v, next); // input buffer of length `next`
            case 'o' -> ret == Long.MIN_VALUE || ret < 0 ? hex(v) : buffer(t, v, ret); // output filled on exit
            case 'f' -> openFlags((int) v);
            case 'm' -> "0" + Integer.toOctalString((int) v);
            case 'S' -> Signals.name((int) v);
            default -> hex(v);
        };
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String path(Task t, long addr) {
        if (addr == 0) {
            return "NULL";
        }
        try {
            byte[] b = t.mm().readCString(addr, 4096).getBytes(StandardCharsets.UTF_8);
            return quote(b, b.length);
        } catch (ErrnoException e) {
            return hex(addr) + " (bad address)";
        }
    }

    private static String buffer(Task t, long addr, long len) {
        int n = (int) Math.min(Math.max(len, 0), MAX_BYTES);
        try {
            return hex(addr) + " " + quote(t.mm().readBytes(addr, n), len);
        } catch (ErrnoException e) {
            return hex(addr);
        }
    }

    static String quote(byte[] b, long fullLen) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        sb.append('"');
        if (fullLen > b.length) {
            sb.append("...");
        }
        return sb.toString();
    }

    static String openFlags(int f) {
        StringBuilder sb = new StringBuilder(switch (f & Fcntl.O_ACCMODE) {
            case Fcntl.O_RDONLY -> "O_RDONLY";
            case Fcntl.O_WRONLY -> "O_WRONLY";
            case Fcntl.O_RDWR -> "O_RDWR";
            default -> "O_ACCMODE";
        });
        int[] bits = {Fcntl.O_CREAT, Fcntl.O_EXCL, Fcntl.O_NOCTTY, Fcntl.O_TRUNC, Fcntl.O_APPEND, Fcntl.O_NONBLOCK,
            Fcntl.O_DIRECTORY, Fcntl.O_NOFOLLOW, Fcntl.O_CLOEXEC, Fcntl.O_PATH, Fcntl.O_LARGEFILE};
        String[] names = {"O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC", "O_APPEND", "O_NONBLOCK", "O_DIRECTORY",
            "O_NOFOLLOW", "O_CLOEXEC", "O_PATH", "O_LARGEFILE"};
        int rest = f & ~Fcntl.O_ACCMODE;
        for (int i = 0; i < bits.length; i++) {
            if ((rest & bits[i]) == bits[i]) {
                sb.append('|').append(names[i]);
                rest &= ~bits[i];
            }
        }
        if (rest != 0) {
            sb.append("|0").append(Integer.toOctalString(rest));
        }
        return sb.toString();
    }
}
