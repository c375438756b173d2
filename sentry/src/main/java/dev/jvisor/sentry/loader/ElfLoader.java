package dev.jvisor.sentry.loader;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.Elf;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Loads an ELF64 x86-64 executable into a task's (empty) address space, builds its initial stack, and resets its
 * registers and FP state to start at the entry point. Static executables (ET_EXEC), static PIEs (ET_DYN without
 * PT_INTERP) and dynamically linked ones load; for the latter the interpreter named by PT_INTERP (ld.so) is
 * opened through the VFS and loaded too, and the task starts at its entry, with AT_BASE telling it where it is.
 *
 * <p>Layout, as Linux does it on x86-64 (with smaller random offsets): a PIE at {@link #ET_DYN_BASE} plus a
 * random offset, the heap just past the image plus up to 32 MiB, an 8 MiB stack ending a random distance below
 * the top of the user address space, and mmap's top-down area below the stack's region.
 */
public final class ElfLoader {
    private ElfLoader() {}

    /** Linux's ELF_ET_DYN_BASE on x86-64 (2/3 of the 47-bit space, page aligned). */
    public static final long ET_DYN_BASE = 0x555555554000L;
    /** Size of the main thread's stack VMA. */
    public static final long STACK_SIZE = 8L << 20;

    private static final long DYN_RANDOM = 1L << 32;
    private static final long BRK_RANDOM = 32L << 20;
    private static final long STACK_RANDOM = 256L << 20;
    private static final long MMAP_RANDOM = 1L << 30;
    /** Linux's MAX_ARG_STRLEN: one argument or environment string, NUL included. */
    private static final int MAX_ARG_STRLEN = 32 * 4096;
    private static final byte[] PLATFORM = "x86_64\0".getBytes(StandardCharsets.US_ASCII);
    private static final int CLOCK_TICKS = 100;

    /**
     * Loads {@code exe} into {@code t}'s address space and makes {@code t} ready to start it.
     *
     * @throws LoadException naming why the file cannot run (ENOEXEC for a non-ELF, wrong-architecture or
     *     dynamically linked file, EINVAL for impossible segments, E2BIG for too long arguments, ENOMEM when
     *     memory runs out). If it is thrown before anything was mapped, the address space is untouched.
     */
    public static void load(Task t, FileDescription exe, String execfn, List<String> argv, List<String> envp) {
        MemoryManager mm = t.mm();
        ElfFile elf = ElfFile.read(exe, mm.maxUserAddress());
        byte[] fn = cString(execfn);
        byte[][] args = cStrings(argv);
        byte[][] envs = cStrings(envp);
        checkArgumentSpace(fn, args, envs);
        FileDescription interp = elf.interpreter() == null ? null : openInterpreter(t, elf.interpreter());
        ElfFile interpElf = null;
        if (interp != null) {
            try {
                interpElf = ElfFile.read(interp, mm.maxUserAddress()).asInterpreter(elf.interpreter());
            } catch (RuntimeException e) {
                interp.decRef();
                throw e;
            }
        }

        try (Arena arena = Arena.ofConfined()) {
            long maxAddr = mm.maxUserAddress();
            mm.setMmapBase(maxAddr - MemoryManager.STACK_AREA - Mman.pageDown(random(arena, MMAP_RANDOM)));
            long bias = elf.positionIndependent() ? chooseBias(mm, elf, arena) : 0;
            for (ProgramHeader p : elf.loads()) {
                mapSegment(mm, exe, p, bias, execfn);
            }
            mm.setBrkBase(bias + elf.highestEnd() + Mman.pageDown(random(arena, BRK_RANDOM)));
            long interpBase = 0;
            long entry = bias + elf.header().entry();
            if (interp != null) {
                // Like Linux's load_elf_interp: no hint, so ld.so lands in the top-down mmap area.
                interpBase = interpBias(mm, interpElf);
                for (ProgramHeader p : interpElf.loads()) {
                    mapSegment(mm, interp, p, interpBase, elf.interpreter());
                }
            }

            long stackTop = Mman.pageDown(maxAddr - random(arena, STACK_RANDOM));
            int stackProt = Mman.PROT_READ | Mman.PROT_WRITE;
            if (elf.gnuStackFlags() >= 0 && (elf.gnuStackFlags() & Elf.PF_X) != 0) {
                stackProt |= Mman.PROT_EXEC;
            }
            long r = mm.mmap(stackTop - STACK_SIZE, STACK_SIZE, stackProt,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED | Mman.MAP_GROWSDOWN, null, 0, 0,
                    "[stack]");
            check(r, "cannot map the stack");

            long[] aux = auxv(t.creds(), elf, bias, entry, interpBase);
            long sp = buildStack(mm, arena, stackTop, fn, args, envs, aux);

            long start = interp != null ? interpBase + interpElf.header().entry() : entry;
            t.regs().resetForExec(start, sp);
        } catch (ErrnoException e) {
            throw new LoadException(e.errno(), "loading failed: " + e.errno().description());
        } finally {
            if (interp != null) {
                interp.decRef();
            }
        }
        t.fpState().resetToInit();
        if (t.context() != null) {
            t.context().setFpState(t.fpState());
        }
        t.comm(execfn);
        t.signalActions().resetForExec();
        t.signals().resetForExec();
    }

    /**
     * Opens the interpreter an executable names, from the task's root, as execve's open_exec does: it must be a
     * regular file the task may execute. ENOENT and EACCES come back as a LoadException with that errno.
     */
    private static FileDescription openInterpreter(Task t, String path) {
        try {
            return t.kernel().vfs().openExecutable(t, t.fs().root(), path);
        } catch (ErrnoException e) {
            throw new LoadException(e.errno(), "cannot open the ELF interpreter " + path + ": "
                    + e.errno().description());
        }
    }

    /** Where the interpreter goes: anywhere in the mmap area, aligned to its segments. */
    private static long interpBias(MemoryManager mm, ElfFile interp) {
        long lo = interp.lowestVaddr();
        long span = interp.highestEnd() - lo;
        long align = interp.maxAlign();
        long reserve = span + align - Mman.PAGE_SIZE;
        long got = check(mm.mmap(0, reserve, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0),
                "no room for the ELF interpreter");
        mm.munmap(got, reserve);
        return alignUp(got, align) - lo;
    }

    /** A PIE's load bias: ET_DYN_BASE plus a random offset, aligned to its segments, moved if not free. */
    private static long chooseBias(MemoryManager mm, ElfFile elf, Arena arena) {
        long lo = elf.lowestVaddr();
        long span = elf.highestEnd() - lo;
        long align = elf.maxAlign();
        long want = alignUp(ET_DYN_BASE + Mman.pageDown(random(arena, DYN_RANDOM)), align);
        long reserve = span + align - Mman.PAGE_SIZE;
        // Reserve with a hint to learn where the whole image fits, then map the segments over the spot.
        long got = check(mm.mmap(want, reserve, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0),
                "no room for the executable");
        mm.munmap(got, reserve);
        return alignUp(got, align) - lo;
    }

    private static void mapSegment(MemoryManager mm, FileDescription exe, ProgramHeader p, long bias, String name) {
        long vaddr = bias + p.vaddr();
        long mapStart = Mman.pageDown(vaddr);
        long fileEnd = vaddr + p.filesz();
        long memEnd = Mman.pageUp(vaddr + p.memsz());
        int prot = p.prot();
        long bssStart = mapStart;
        if (p.filesz() > 0) {
            long mapEnd = Mman.pageUp(fileEnd);
            // Like Linux, the bytes after p_filesz in the last file page are zeroed only when a bss follows.
            long fileBytes = p.memsz() > p.filesz() ? fileEnd - mapStart : Long.MAX_VALUE;
            check(mm.mmap(mapStart, mapEnd - mapStart, prot, Mman.MAP_PRIVATE | Mman.MAP_FIXED, exe,
                    p.offset() - (vaddr - mapStart), fileBytes, name), "cannot map a segment");
            bssStart = mapEnd;
        }
        if (memEnd > bssStart) {
            check(mm.mmap(bssStart, memEnd - bssStart, prot, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED,
                    null, 0, 0, ""), "cannot map a segment's bss");
        }
    }

    private static long[] auxv(Credentials c, ElfFile elf, long bias, long entry, long interpBase) {
        long phdr = elf.phdrVaddr();
        long[] base = {
            Elf.AT_HWCAP, HostAuxv.HWCAP,
            Elf.AT_PAGESZ, Mman.PAGE_SIZE,
            Elf.AT_CLKTCK, CLOCK_TICKS,
            Elf.AT_PHDR, phdr == 0 ? 0 : bias + phdr,
            Elf.AT_PHENT, Elf.PHDR_SIZE,
            Elf.AT_PHNUM, elf.header().phnum(),
            Elf.AT_BASE, interpBase,
            Elf.AT_FLAGS, 0,
            Elf.AT_ENTRY, entry,
            Elf.AT_UID, c.uid,
            Elf.AT_EUID, c.euid,
            Elf.AT_GID, c.gid,
            Elf.AT_EGID, c.egid,
            Elf.AT_SECURE, 0,
            Elf.AT_RANDOM, -1, // filled in with the address once the stack is laid out
            Elf.AT_HWCAP2, HostAuxv.HWCAP2,
            Elf.AT_EXECFN, -1,
            Elf.AT_PLATFORM, -1,
            Elf.AT_NULL, 0,
        };
        if (HostAuxv.MINSIGSTKSZ == 0) {
            return base;
        }
        // Linux's x86 ARCH_DLINFO entry, first in the vector: the signal frame size, for sysconf(_SC_MINSIGSTKSZ).
        long[] withFrameSize = new long[base.length + 2];
        withFrameSize[0] = Elf.AT_MINSIGSTKSZ;
        withFrameSize[1] = HostAuxv.MINSIGSTKSZ;
        System.arraycopy(base, 0, withFrameSize, 2, base.length);
        return withFrameSize;
    }

    /**
     * Writes the initial stack below {@code stackTop} and returns the stack pointer, which points at argc and is
     * 16-byte aligned. From the top down: 8 zero bytes, the exec file name, the environment and argument
     * strings, a small random gap, the platform string, 16 random bytes, then argc, argv[], NULL, envp[], NULL,
     * and the auxiliary vector.
     */
    private static long buildStack(MemoryManager mm, Arena arena, long stackTop, byte[] fn, byte[][] args,
            byte[][] envs, long[] aux) {
        long p = stackTop - 8;
        p -= fn.length;
        long execfnAddr = p;
        long[] envAddr = new long[envs.length];
        for (int i = envs.length - 1; i >= 0; i--) {
            p -= envs[i].length;
            envAddr[i] = p;
        }
        long[] argAddr = new long[args.length];
        for (int i = args.length - 1; i >= 0; i--) {
            p -= args[i].length;
            argAddr[i] = p;
        }
        p -= random(arena, 8192);
        p &= ~15L;
        p -= PLATFORM.length;
        long platformAddr = p;
        p -= 16;
        long randomAddr = p;
        for (int i = 0; i < aux.length; i += 2) {
            if (aux[i] == Elf.AT_RANDOM) {
                aux[i + 1] = randomAddr;
            } else if (aux[i] == Elf.AT_EXECFN) {
                aux[i + 1] = execfnAddr;
            } else if (aux[i] == Elf.AT_PLATFORM) {
                aux[i + 1] = platformAddr;
            }
        }
        long words = 1 + (args.length + 1) + (envs.length + 1) + aux.length;
        long sp = (p - words * 8) & ~15L;

        MemorySegment img = arena.allocate(stackTop - sp, 16);
        long w = 0;
        img.set(JAVA_LONG, w, args.length);
        w += 8;
        for (long a : argAddr) {
            img.set(JAVA_LONG, w, a);
            w += 8;
        }
        w += 8; // argv NULL
        for (long e : envAddr) {
            img.set(JAVA_LONG, w, e);
            w += 8;
        }
        w += 8; // envp NULL
        for (long v : aux) {
            img.set(JAVA_LONG, w, v);
            w += 8;
        }
        if (Host.getrandom(img.address() + (randomAddr - sp), 16, 0) != 16) {
            throw new LoadException(Errno.EIO, "getrandom failed for AT_RANDOM");
        }
        MemorySegment.copy(PLATFORM, 0, img, JAVA_BYTE, platformAddr - sp, PLATFORM.length);
        for (int i = 0; i < args.length; i++) {
            MemorySegment.copy(args[i], 0, img, JAVA_BYTE, argAddr[i] - sp, args[i].length);
        }
        for (int i = 0; i < envs.length; i++) {
            MemorySegment.copy(envs[i], 0, img, JAVA_BYTE, envAddr[i] - sp, envs[i].length);
        }
        MemorySegment.copy(fn, 0, img, JAVA_BYTE, execfnAddr - sp, fn.length);
        mm.copyOut(sp, img, img.byteSize());
        return sp;
    }

    /** execve's E2BIG check of {@link #load}, for callers that must fail before the point of no return. */
    public static void checkArguments(String execfn, List<String> argv, List<String> envp) {
        checkArgumentSpace(cString(execfn), cStrings(argv), cStrings(envp));
    }

    /** execve's E2BIG rules: each string at most MAX_ARG_STRLEN, all of them with their pointers at most a
     *  quarter of the stack. */
    private static void checkArgumentSpace(byte[] fn, byte[][] args, byte[][] envs) {
        long total = fn.length + 8L * (args.length + envs.length + 2);
        for (byte[][] list : new byte[][][] {args, envs}) {
            for (byte[] s : list) {
                if (s.length > MAX_ARG_STRLEN) {
                    throw new LoadException(Errno.E2BIG, "an argument or environment string is too long");
                }
                total += s.length;
            }
        }
        if (fn.length > MAX_ARG_STRLEN || total > STACK_SIZE / 4) {
            throw new LoadException(Errno.E2BIG, "argument list too long");
        }
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static byte[][] cStrings(List<String> l) {
        byte[][] out = new byte[l.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = cString(l.get(i));
        }
        return out;
    }

    private static long check(long r, String what) {
        if (r < 0 && r > -4096) {
            Errno e = Errno.of((int) -r);
            throw new LoadException(e == null ? Errno.ENOMEM : e, what + ": " + Errno.name((int) -r));
        }
        return r;
    }

    private static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }

    /** A random value in [0, bound), from the host's getrandom. */
    private static long random(Arena arena, long bound) {
        MemorySegment b = arena.allocate(8, 8);
        if (Host.getrandom(b.address(), 8, 0) != 8) {
            return 0;
        }
        return Long.remainderUnsigned(b.get(JAVA_LONG, 0), bound);
    }
}
