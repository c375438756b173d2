package dev.jvisor.sentry.loader;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.abi.Elf;
import dev.jvisor.abi.Mman;
import java.lang.foreign.MemorySegment;

/** One ELF64 program header (Elf64_Phdr). */
public record ProgramHeader(int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {

    /** Parses the header at {@code off} of {@code buf} (which must hold {@link Elf#PHDR_SIZE} bytes there). */
    public static ProgramHeader parse(MemorySegment buf, long off) {
        return new ProgramHeader(
                buf.get(JAVA_INT_UNALIGNED, off),
                buf.get(JAVA_INT_UNALIGNED, off + 4),
                buf.get(JAVA_LONG_UNALIGNED, off + 8),
                buf.get(JAVA_LONG_UNALIGNED, off + 16),
                buf.get(JAVA_LONG_UNALIGNED, off + 32),
                buf.get(JAVA_LONG_UNALIGNED, off + 40),
                buf.get(JAVA_LONG_UNALIGNED, off + 48));
    }

    /** The segment's PF_* flags as PROT_* bits. */
    public int prot() {
        int p = 0;
        if ((flags & Elf.PF_R) != 0) {
            p |= Mman.PROT_READ;
        }
        if ((flags & Elf.PF_W) != 0) {
            p |= Mman.PROT_WRITE;
        }
        if ((flags & Elf.PF_X) != 0) {
            p |= Mman.PROT_EXEC;
        }
        return p;
    }
}
