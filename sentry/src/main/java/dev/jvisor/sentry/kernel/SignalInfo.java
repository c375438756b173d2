package dev.jvisor.sentry.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.SigInfo;
import java.lang.foreign.MemorySegment;

/**
 * One generated signal: its {@code siginfo_t} as the handler will see it (128 bytes), plus the trap number,
 * error code and fault address that a synchronous fault also reports in the frame's sigcontext. Signals are rare
 * next to syscalls, so each one is a small heap object.
 */
public final class SignalInfo {
    private final byte[] bytes = new byte[SigInfo.SIZE];
    private final MemorySegment seg = MemorySegment.ofArray(bytes);
    /** sigcontext.trapno, .err and .cr2 for a fault; zero for sent signals. */
    long trapno, err, cr2;

    public SignalInfo(int signo, int code) {
        seg.set(JAVA_INT_UNALIGNED, SigInfo.SIGNO, signo);
        seg.set(JAVA_INT_UNALIGNED, SigInfo.CODE, code);
    }

    /** A signal sent by a process (kill, tkill, tgkill): si_pid and si_uid of the sender. */
    public static SignalInfo fromProcess(int signo, int code, int pid, int uid) {
        SignalInfo i = new SignalInfo(signo, code);
        i.seg.set(JAVA_INT_UNALIGNED, SigInfo.PID, pid);
        i.seg.set(JAVA_INT_UNALIGNED, SigInfo.UID, uid);
        return i;
    }

    /** SIGCHLD for a child that changed state: si_code CLD_*, its pid and uid, and its exit code or signal. */
    public static SignalInfo child(int code, int pid, int uid, int status) {
        SignalInfo i = fromProcess(dev.jvisor.abi.Signals.SIGCHLD, code, pid, uid);
        i.seg.set(JAVA_INT_UNALIGNED, SigInfo.STATUS, status);
        return i;
    }

    /** A POSIX timer's expiry: si_code SI_TIMER, the timer's ID, its overrun count and sigev_value. */
    public static SignalInfo timer(int signo, int timerId, int overrun, long value) {
        SignalInfo i = new SignalInfo(signo, SigInfo.SI_TIMER);
        i.seg.set(JAVA_INT_UNALIGNED, SigInfo.TIMERID, timerId);
        i.seg.set(JAVA_INT_UNALIGNED, SigInfo.OVERRUN, overrun);
        i.seg.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, SigInfo.VALUE, value);
        return i;
    }

    /** A synchronous fault at {@code addr}. */
    public static SignalInfo fault(int signo, int code, long addr) {
        SignalInfo i = new SignalInfo(signo, code);
        i.seg.set(JAVA_LONG_UNALIGNED, SigInfo.ADDR, addr);
        return i;
    }

    /** A siginfo exactly as user space supplied it (rt_sigqueueinfo), with si_signo forced to {@code signo}. */
    public static SignalInfo fromUser(int signo, MemorySegment raw) {
        SignalInfo i = new SignalInfo(signo, 0);
        MemorySegment.copy(raw, 0, i.seg, 0, SigInfo.SIZE);
        i.seg.set(JAVA_INT_UNALIGNED, SigInfo.SIGNO, signo);
        return i;
    }

    public int signo() {
        return seg.get(JAVA_INT_UNALIGNED, SigInfo.SIGNO);
    }

    public int code() {
        return seg.get(JAVA_INT_UNALIGNED, SigInfo.CODE);
    }

    public int getInt(int off) {
        return seg.get(JAVA_INT_UNALIGNED, off);
    }

    public void setInt(int off, int v) {
        seg.set(JAVA_INT_UNALIGNED, off, v);
    }

    public void setLong(int off, long v) {
        seg.set(JAVA_LONG_UNALIGNED, off, v);
    }

    /** Sets the sigcontext fields a fault reports (trap number, error code, cr2). */
    public void trap(long trapno, long err, long cr2) {
        this.trapno = trapno;
        this.err = err;
        this.cr2 = cr2;
    }

    /** The 128 bytes of siginfo_t. */
    public MemorySegment segment() {
        return seg;
    }
}
