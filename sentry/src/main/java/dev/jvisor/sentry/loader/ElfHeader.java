package dev.jvisor.sentry.loader;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.jvisor.abi.Elf;
import dev.jvisor.abi.Errno;
import java.lang.foreign.MemorySegment;

/** The fields of an ELF64 file header that loading needs, checked to describe an x86-64 executable. */
public record ElfHeader(int type, int machine, long entry, long phoff, int phentsize, int phnum) {

    /**
     * Parses and checks the header in {@code buf}, of which {@code len} bytes were read from the file.
     *
     * @throws LoadException ENOEXEC for anything that is not a 64-bit little-endian x86-64 executable
     */
    public static ElfHeader parse(MemorySegment buf, long len) {
        if (len < 4 || buf.get(JAVA_BYTE, 0) != 0x7f || buf.get(JAVA_BYTE, 1) != 'E' || buf.get(JAVA_BYTE, 2) != 'L'
                || buf.get(JAVA_BYTE, 3) != 'F') {
            throw new LoadException(Errno.ENOEXEC, "not an ELF executable");
        }
        if (len < Elf.EHDR_SIZE) {
            throw new LoadException(Errno.ENOEXEC, "truncated ELF header (" + len + " bytes)");
        }
        int cls = buf.get(JAVA_BYTE, Elf.EI_CLASS);
        int data = buf.get(JAVA_BYTE, Elf.EI_DATA);
        int machine = Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, 18));
        if (cls != Elf.ELFCLASS64) {
            throw new LoadException(Errno.ENOEXEC, (cls == Elf.ELFCLASS32 ? "32-bit" : "unknown-class")
                    + " ELF executable (" + Elf.machineName(machine) + "): only x86-64 executables can run");
        }
        if (data != Elf.ELFDATA2LSB) {
            throw new LoadException(Errno.ENOEXEC, "big-endian ELF executable: only x86-64 executables can run");
        }
        if (machine != Elf.EM_X86_64) {
            throw new LoadException(Errno.ENOEXEC,
                    "ELF executable for " + Elf.machineName(machine) + ": only x86-64 executables can run");
        }
        int type = Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, 16));
        if (type != Elf.ET_EXEC && type != Elf.ET_DYN) {
            throw new LoadException(Errno.ENOEXEC, "ELF file of type " + typeName(type) + " is not an executable");
        }
        long entry = buf.get(JAVA_LONG_UNALIGNED, 24);
        long phoff = buf.get(JAVA_LONG_UNALIGNED, 32);
        int phentsize = Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, 54));
        int phnum = Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, 56));
        if (phentsize != Elf.PHDR_SIZE) {
            throw new LoadException(Errno.ENOEXEC, "ELF program header size " + phentsize + " is not 56");
        }
        // Linux's limit: the program header table must be non-empty and fit in one page.
        if (phnum == 0 || (long) phnum * Elf.PHDR_SIZE > 4096) {
            throw new LoadException(Errno.ENOEXEC, "ELF header claims " + phnum + " program headers");
        }
        if (phoff < 0) {
            throw new LoadException(Errno.ENOEXEC, "ELF program header offset is out of range");
        }
        return new ElfHeader(type, machine, entry, phoff, phentsize, phnum);
    }

    private static String typeName(int type) {
        return switch (type) {
            case Elf.ET_REL -> "ET_REL (relocatable object)";
            case Elf.ET_CORE -> "ET_CORE (core dump)";
            default -> Integer.toString(type);
        };
    }
}
