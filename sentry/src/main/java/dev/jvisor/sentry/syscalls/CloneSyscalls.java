package dev.jvisor.sentry.syscalls;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.sentry.fs.proc.ProcessTable;
import dev.jvisor.sentry.kernel.Completion;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SignalActions;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.TaskStart;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.mm.MemoryManager;
import java.lang.foreign.MemorySegment;

/** Creating tasks: clone(2), clone3(2), fork(2), vfork(2). */
final class CloneSyscalls {
    private CloneSyscalls() {}

    static final long CSIGNAL = 0xff, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400,
            CLONE_SIGHAND = 0x800, CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000,
            CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000,
            CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
            CLONE_DETACHED = 0x400000, CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000,
            CLONE_NEWCGROUP = 0x2000000, CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000,
            CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_IO = 0x80000000L,
            CLONE_CLEAR_SIGHAND = 0x100000000L, CLONE_INTO_CGROUP = 0x200000000L;

    /** Namespaces the sandbox cannot create (yet). */
    private static final long NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
            | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

    /** sizeof(struct clone_args) version 0, and the largest version this kernel knows (2, with cgroup). */
    private static final int CLONE_ARGS_SIZE_VER0 = 64, CLONE_ARGS_SIZE_VER2 = 88;

    /** Implements clone(2): x86-64 order flags, stack, parent_tid, child_tid, tls. */
    static long clone(Task t, SyscallArguments a) {
        long flags = a.a0 & 0xffffffffL;
        return clone(t, flags & ~CSIGNAL, (int) (flags & CSIGNAL), a.a1, a.a2, a.a3, a.a4);
    }

    /** Implements fork(2). */
    static long fork(Task t, SyscallArguments a) {
        return clone(t, 0, Signals.SIGCHLD, 0, 0, 0, 0);
    }

    /** Implements vfork(2). */
    static long vfork(Task t, SyscallArguments a) {
        return clone(t, CLONE_VM | CLONE_VFORK, Signals.SIGCHLD, 0, 0, 0, 0);
    }

    /** Implements clone3(2). */
    static long clone3(Task t, SyscallArguments a) {
        long size = a.a1;
        if (Long.compareUnsigned(size, CLONE_ARGS_SIZE_VER0) < 0) {
            return Errno.EINVAL.ret();
        }
        if (Long.compareUnsigned(size, Mman.PAGE_SIZE) > 0) {
            return Errno.E2BIG.ret();
        }
        MemorySegment s = t.scratch().asSlice(0, Mman.PAGE_SIZE);
        s.fill((byte) 0);
        t.mm().copyIn(a.a0, s, size);
        for (long off = CLONE_ARGS_SIZE_VER2; off < size; off++) {
            if (s.get(JAVA_BYTE, off) != 0) {
                return Errno.E2BIG.ret(); // fields this kernel does not know must be zero
            }
        }
        long flags = s.get(JAVA_LONG, 0);
        long childTid = s.get(JAVA_LONG, 16), parentTid = s.get(JAVA_LONG, 24);
        long exitSignal = s.get(JAVA_LONG, 32), stack = s.get(JAVA_LONG, 40), stackSize = s.get(JAVA_LONG, 48);
        long tls = s.get(JAVA_LONG, 56);
        long setTidSize = size >= 80 ? s.get(JAVA_LONG, 72) : 0;
        if ((exitSignal & ~CSIGNAL) != 0 || exitSignal > Signals.NSIG) {
            return Errno.EINVAL.ret();
        }
        if ((flags & ~(0xffffffffL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)) != 0) {
            return Errno.EINVAL.ret();
        }
        if ((flags & (CLONE_THREAD | CLONE_PARENT)) != 0 && exitSignal != 0) {
            return Errno.EINVAL.ret();
        }
        if ((stack == 0) != (stackSize == 0)) {
            return Errno.EINVAL.ret();
        }
        if ((flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) {
            return Errno.EINVAL.ret();
        }
        if (setTidSize != 0 || (flags & CLONE_INTO_CGROUP) != 0) {
            return Errno.EINVAL.ret(); // choosing the PID and cgroups are not supported
        }
        return clone(t, flags & ~CSIGNAL, (int) exitSignal, stack == 0 ? 0 : stack + stackSize, parentTid,
                childTid, tls);
    }

    /** The common core: clone(2)'s checks, then a new task (and process, without CLONE_THREAD). */
    static long clone(Task t, long flags, int exitSignal, long stack, long parentTid, long childTid, long tls) {
        long err = check(t, flags);
        if (err < 0) {
            return err;
        }
        Kernel k = t.kernel();
        int tid = k.allocatePid();
        if (tid < 0) {
            return tid;
        }
        boolean thread = (flags & CLONE_THREAD) != 0;
        ThreadGroup tg;
        if (thread) {
            tg = t.threadGroup();
            if (tg.exiting()) {
                k.pids().abandon(tid);
                return Errno.EINTR.ret(); // the caller is dying anyway
            }
        } else {
            tg = ThreadGroup.forked(t.threadGroup(), (flags & CLONE_PARENT) != 0, tid, exitSignal);
            SignalActions sa = t.signalActions();
            if ((flags & CLONE_SIGHAND) == 0) {
                sa = sa.copy();
                if ((flags & CLONE_CLEAR_SIGHAND) != 0) {
                    sa.resetForExec();
                }
            }
            tg.signalActions(sa);
        }
        Task child;
        try {
            child = new Task(k, tg, tid, t.creds().copy());
        } catch (RuntimeException e) {
            k.pids().abandon(tid);
            throw e;
        }
        child.regs().copyFrom(t.regs());
        child.regs().rax(0);
        if (stack != 0) {
            child.regs().rsp(stack);
        }
        if ((flags & CLONE_SETTLS) != 0) {
            child.regs().fsBase(tls);
        }
        t.context().getFpState(child.fpState());
        child.comm(t.comm());
        child.signalMask(t.signalMask());
        // A new thread sharing the address space gets no alternate stack; a new process keeps the parent's.
        child.signals().inheritFrom(t.signals(), (flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM);
        child.fdTable((flags & CLONE_FILES) != 0 ? t.fdTable().retain() : t.fdTable().fork());
        child.fs((flags & CLONE_FS) != 0 ? t.fs() : t.fs().fork());
        if ((flags & CLONE_CHILD_CLEARTID) != 0) {
            child.clearChildTid(childTid);
        }
        boolean shareVm = (flags & CLONE_VM) != 0;
        if (shareVm) {
            MemoryManager mm = t.mm();
            mm.retain();
            child.mm(mm);
        }
        Completion vforkDone = (flags & CLONE_VFORK) != 0 ? new Completion() : null;
        child.vforkDone(vforkDone);
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            writeTid(t.mm(), parentTid, tid);
        }
        if (!thread && k.vfs() != null) {
            ProcessTable procs = k.vfs().procfs().processes();
            ProcessTable.Process p = procs.find(t.pid());
            if (p != null) {
                procs.put(child, p.exe(), p.argv());
            }
        }
        boolean setChildTid = (flags & CLONE_CHILD_SETTID) != 0;
        long r = TaskStart.start(t, child, !shareVm, c -> {
            if (setChildTid) {
                writeTid(c.mm(), childTid, tid);
            }
        });
        if (r < 0) {
            return r;
        }
        if (vforkDone != null) {
            vforkDone.await(t); // -EINTR only when the parent is being killed: its loop ends anyway
        }
        return tid;
    }

    /** clone(2)'s EINVAL rules for flag combinations, in Linux's order. */
    private static long check(Task t, long flags) {
        if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)
                || (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS)) {
            return Errno.EINVAL.ret();
        }
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) {
            return Errno.EINVAL.ret();
        }
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) {
            return Errno.EINVAL.ret();
        }
        // The sandbox's init is unkillable from inside, so it cannot give itself a sibling.
        if ((flags & CLONE_PARENT) != 0 && t.threadGroup() == t.kernel().pids().init()) {
            return Errno.EINVAL.ret();
        }
        if ((flags & CLONE_THREAD) != 0 && (flags & (CLONE_NEWUSER | CLONE_NEWPID)) != 0) {
            return Errno.EINVAL.ret();
        }
        if ((flags & CLONE_PIDFD) != 0 && (flags & CLONE_DETACHED) != 0) {
            return Errno.EINVAL.ret();
        }
        if ((flags & (NAMESPACES | CLONE_PIDFD)) != 0) {
            return Errno.EINVAL.ret(); // new namespaces and pidfds are not supported
        }
        return 0;
    }

    /** Stores a TID for CLONE_PARENT_SETTID / CLONE_CHILD_SETTID; like Linux, a bad address is ignored. */
    private static void writeTid(MemoryManager mm, long addr, int tid) {
        try {
            mm.writeInt(addr, tid);
        } catch (ErrnoException e) {
            // put_user's failure is not reported by clone
        }
    }
}
