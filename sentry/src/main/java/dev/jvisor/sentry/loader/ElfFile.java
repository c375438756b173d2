package dev.jvisor.sentry.loader;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.abi.Elf;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Mman;
import dev.jvisor.sentry.vfs.FileDescription;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ELF64 x86-64 executable's header and program headers, read from a file and checked so that mapping it
 * cannot go wrong half way: every loadable segment lies inside the file and the address space, with offsets
 * that can be mapped.
 */
public record ElfFile(ElfHeader header, List<ProgramHeader> phdrs, long fileSize, String interpreter) {

    /**
     * Reads and checks {@code f}.
     *
     * @throws LoadException ENOEXEC for a file that is not a loadable x86-64 executable, EINVAL for impossible
     *     segment sizes, EIO if the file cannot be read
     */
    public static ElfFile read(FileDescription f, long maxUserAddress) {
        long size = f.size();
        if (size < 0) {
            throw new LoadException(errno(size), "cannot get the executable's size: " + Errno.name((int) -size));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Elf.EHDR_SIZE);
            long n = readFully(f, buf, 0);
            ElfHeader h = ElfHeader.parse(buf, n);
            long tableLen = (long) h.phnum() * Elf.PHDR_SIZE;
            if (h.phoff() > size - tableLen) {
                throw new LoadException(Errno.ENOEXEC, "ELF program headers lie past the end of the file");
            }
            MemorySegment table = arena.allocate(tableLen);
            if (readFully(f, table, h.phoff()) != tableLen) {
                throw new LoadException(Errno.ENOEXEC, "ELF program headers are truncated");
            }
            List<ProgramHeader> phdrs = new ArrayList<>(h.phnum());
            boolean anyLoad = false;
            String interp = null;
            for (int i = 0; i < h.phnum(); i++) {
                ProgramHeader p = ProgramHeader.parse(table, (long) i * Elf.PHDR_SIZE);
                phdrs.add(p);
                if (p.type() == Elf.PT_INTERP) {
                    if (interp != null) {
                        throw new LoadException(Errno.EINVAL, "ELF executable has two PT_INTERP headers");
                    }
                    interp = interpreter(f, p, size, arena);
                }
                if (p.type() == Elf.PT_LOAD) {
                    checkLoad(i, p, size, maxUserAddress);
                    anyLoad |= p.memsz() > 0;
                }
            }
            if (!anyLoad) {
                throw new LoadException(Errno.ENOEXEC, "ELF executable has no loadable segment");
            }
            return new ElfFile(h, List.copyOf(phdrs), size, interp);
        }
    }

    /** Whether the image must be relocated (ET_DYN: PIE). */
    /**
     * Checks that this file can serve as the ELF interpreter {@code path}: a shared object (ET_DYN) with no
     * interpreter of its own, as Linux requires (ELIBBAD otherwise).
     */
    public ElfFile asInterpreter(String path) {
        if (!positionIndependent() || interpreter != null) {
            throw new LoadException(Errno.ELIBBAD, "the ELF interpreter " + path + " is not a shared object");
        }
        return this;
    }

    public boolean positionIndependent() {
        return header.type() == Elf.ET_DYN;
    }

    /** The PT_LOAD headers, in file order. */
    public List<ProgramHeader> loads() {
        return phdrs.stream().filter(p -> p.type() == Elf.PT_LOAD && p.memsz() > 0).toList();
    }

    /** Lowest page any PT_LOAD touches (before relocation). */
    public long lowestVaddr() {
        return loads().stream().mapToLong(p -> Mman.pageDown(p.vaddr())).min().orElseThrow();
    }

    /** End of the highest PT_LOAD, page aligned (before relocation). */
    public long highestEnd() {
        return loads().stream().mapToLong(p -> Mman.pageUp(p.vaddr() + p.memsz())).max().orElseThrow();
    }

    /** Largest PT_LOAD alignment that is a power of two, at least a page. */
    public long maxAlign() {
        long a = Mman.PAGE_SIZE;
        for (ProgramHeader p : loads()) {
            if (p.align() > a && Long.bitCount(p.align()) == 1 && p.align() <= (1L << 30)) {
                a = p.align();
            }
        }
        return a;
    }

    /** The PF_* flags of PT_GNU_STACK, or -1 if there is none. */
    public int gnuStackFlags() {
        for (ProgramHeader p : phdrs) {
            if (p.type() == Elf.PT_GNU_STACK) {
                return p.flags();
            }
        }
        return -1;
    }

    /**
     * Where the program headers are in memory (before relocation), for AT_PHDR: PT_PHDR's address, else the spot
     * in the PT_LOAD whose file bytes hold them, else 0.
     */
    public long phdrVaddr() {
        for (ProgramHeader p : phdrs) {
            if (p.type() == Elf.PT_PHDR) {
                return p.vaddr();
            }
        }
        long phoff = header.phoff();
        for (ProgramHeader p : loads()) {
            if (p.offset() <= phoff && phoff < p.offset() + p.filesz()) {
                return p.vaddr() + (phoff - p.offset());
            }
        }
        return 0;
    }

    private static void checkLoad(int i, ProgramHeader p, long fileSize, long maxUserAddress) {
        if (p.memsz() == 0) {
            return;
        }
        if (Long.compareUnsigned(p.filesz(), p.memsz()) > 0 || p.memsz() < 0 || p.memsz() > maxUserAddress
                || Long.compareUnsigned(p.vaddr(), maxUserAddress - p.memsz()) > 0) {
            throw new LoadException(Errno.EINVAL, "ELF segment " + i + " does not fit in the address space");
        }
        if (p.offset() < 0 || p.filesz() < 0 || p.offset() > fileSize - p.filesz()) {
            throw new LoadException(Errno.ENOEXEC, "ELF segment " + i + " extends past the end of the file");
        }
        if (((p.vaddr() - p.offset()) & (Mman.PAGE_SIZE - 1)) != 0) {
            throw new LoadException(Errno.EINVAL,
                    "ELF segment " + i + " has a file offset and address that differ within a page");
        }
    }

    /** The PT_INTERP path: NUL-terminated within the segment, as Linux requires (ENOEXEC otherwise). */
    private static String interpreter(FileDescription f, ProgramHeader p, long size, Arena arena) {
        if (p.filesz() < 2 || p.filesz() > 4096 || p.offset() < 0 || p.offset() > size - p.filesz()) {
            throw new LoadException(Errno.ENOEXEC, "ELF interpreter path is malformed");
        }
        MemorySegment s = arena.allocate(p.filesz());
        long n = readFully(f, s, p.offset());
        if (n != p.filesz() || s.get(JAVA_BYTE, n - 1) != 0) {
            throw new LoadException(Errno.ENOEXEC, "ELF interpreter path is not NUL-terminated");
        }
        return new String(s.asSlice(0, n - 1).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Reads until {@code dst} is full or EOF; returns the bytes read. */
    static long readFully(FileDescription f, MemorySegment dst, long off) {
        long done = 0;
        while (done < dst.byteSize()) {
            long r = f.pread(dst.asSlice(done), off + done);
            if (r < 0) {
                throw new LoadException(errno(r), "cannot read the executable: " + Errno.name((int) -r));
            }
            if (r == 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    private static Errno errno(long ret) {
        Errno e = Errno.of((int) -ret);
        return e == null ? Errno.EIO : e;
    }
}
