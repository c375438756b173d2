package dev.jvisor.sentry.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.abi.Elf;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.mm.HostFile;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.mm.RecordingAddressSpace;
import dev.jvisor.sentry.mm.Vma;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfLoaderTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    @TempDir
    Path tmp;

    private MemoryFile file;
    private RecordingAddressSpace as;
    private MemoryManager mm;
    private Task task;

    @BeforeEach
    void setUp() {
        file = new MemoryFile(4L << 30, 4L << 30);
        as = new RecordingAddressSpace();
        mm = new MemoryManager(file, as);
        Credentials creds = new Credentials(1000, 2000, new int[0]);
        creds.euid = 1001;
        creds.egid = 2001;
        task = new Task(new Kernel(file, null, null, "sandbox"), new ThreadGroup(1, 0), 1, creds);
        task.mm(mm);
    }

    @AfterEach
    void tearDown() {
        as.assertMirrors(mm);
        mm.releaseAll();
        assertEquals(0, file.allocated());
        file.close();
    }

    /** The initial stack as the program sees it at its entry point. */
    private record Stack(long sp, List<String> argv, List<String> envp, Map<Long, Long> auxv, List<Long> auxOrder) {}

    private Stack readStack() {
        long sp = task.regs().rsp();
        long argc = mm.readLong(sp);
        long p = sp + 8;
        String[] argv = new String[(int) argc];
        for (int i = 0; i < argc; i++, p += 8) {
            argv[i] = mm.readCString(mm.readLong(p), 1 << 17);
        }
        assertEquals(0, mm.readLong(p), "argv ends with NULL");
        p += 8;
        List<String> envp = new java.util.ArrayList<>();
        for (long e; (e = mm.readLong(p)) != 0; p += 8) {
            envp.add(mm.readCString(e, 1 << 17));
        }
        p += 8;
        Map<Long, Long> aux = new LinkedHashMap<>();
        List<Long> order = new java.util.ArrayList<>();
        while (true) {
            long tag = mm.readLong(p);
            long val = mm.readLong(p + 8);
            p += 16;
            order.add(tag);
            if (tag == Elf.AT_NULL) {
                break;
            }
            assertTrue(aux.put(tag, val) == null, "duplicate auxv tag " + tag);
        }
        return new Stack(sp, List.of(argv), envp, aux, order);
    }

    @Test
    void loadsStaticBusyboxWithTheStackLinuxBuilds() throws IOException {
        byte[] image = Files.readAllBytes(BUSYBOX);
        task.signalActions().set(Signals.SIGUSR1, 0x1234, 0, 0, 0);
        try (HostFile exe = new HostFile(BUSYBOX)) {
            ElfLoader.load(task, exe, "/bin/busybox", List.of("busybox", "echo", "hi there"),
                    List.of("A=1", "PATH=/bin"));
        }
        ElfFile elf = parse(image);
        assertEquals(Elf.ET_EXEC, elf.header().type());
        assertEquals(elf.header().entry(), task.regs().rip(), "ET_EXEC runs at its own entry address");
        assertEquals(0x33, task.regs().get(UserRegs.CS));
        assertEquals(0, task.regs().fsBase());

        Stack s = readStack();
        assertEquals(0, s.sp % 16, "rsp is 16-byte aligned at entry");
        assertEquals(List.of("busybox", "echo", "hi there"), s.argv);
        assertEquals(List.of("A=1", "PATH=/bin"), s.envp);
        Map<Long, Long> aux = s.auxv;
        assertEquals(0x400040L, aux.get((long) Elf.AT_PHDR), "the program headers follow the ELF header");
        assertEquals(56L, aux.get((long) Elf.AT_PHENT));
        assertEquals((long) elf.header().phnum(), aux.get((long) Elf.AT_PHNUM));
        assertEquals(4096L, aux.get((long) Elf.AT_PAGESZ));
        assertEquals(0L, aux.get((long) Elf.AT_BASE));
        assertEquals(0L, aux.get((long) Elf.AT_FLAGS));
        assertEquals(elf.header().entry(), aux.get((long) Elf.AT_ENTRY));
        assertEquals(1000L, aux.get((long) Elf.AT_UID));
        assertEquals(1001L, aux.get((long) Elf.AT_EUID));
        assertEquals(2000L, aux.get((long) Elf.AT_GID));
        assertEquals(2001L, aux.get((long) Elf.AT_EGID));
        assertEquals(0L, aux.get((long) Elf.AT_SECURE));
        assertEquals(100L, aux.get((long) Elf.AT_CLKTCK));
        assertNotEquals(0L, aux.get((long) Elf.AT_HWCAP));
        assertTrue((aux.get((long) Elf.AT_HWCAP) & (1 << 25)) != 0, "every x86-64 CPU has SSE (HWCAP bit 25)");
        assertEquals("/bin/busybox", mm.readCString(aux.get((long) Elf.AT_EXECFN), 4096));
        assertEquals("x86_64", mm.readCString(aux.get((long) Elf.AT_PLATFORM), 4096));
        assertTrue(!aux.containsKey((long) Elf.AT_SYSINFO_EHDR), "no vDSO yet");
        assertTrue(aux.getOrDefault((long) Elf.AT_MINSIGSTKSZ, 2048L) >= 2048,
                "AT_MINSIGSTKSZ, when the host has it, is a signal frame's size");
        long rnd = aux.get((long) Elf.AT_RANDOM);
        byte[] random = mm.readBytes(rnd, 16);
        assertTrue(!Arrays.equals(random, new byte[16]), "AT_RANDOM holds random bytes");
        assertEquals(Elf.AT_NULL, (long) s.auxOrder.getLast());

        Vma stack = mm.findVma(s.sp);
        assertNotNull(stack);
        assertEquals("[stack]", stack.name());
        assertEquals(ElfLoader.STACK_SIZE, stack.length());
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE, stack.prot(), "PT_GNU_STACK RW: no executable stack");
        assertTrue(stack.end() <= mm.maxUserAddress());
        assertEquals(0, mm.readLong(stack.end() - 8), "the stack ends with 8 zero bytes");
        assertTrue(rnd < aux.get((long) Elf.AT_PLATFORM) && aux.get((long) Elf.AT_PLATFORM) < stack.end());

        // Segments: file bytes where the file has them, protections from p_flags, bss zero.
        assertArrayEquals(Arrays.copyOf(image, 64), mm.readBytes(0x400000, 64));
        for (ProgramHeader p : elf.loads()) {
            Vma v = mm.findVma(p.vaddr());
            assertNotNull(v, "segment at " + Long.toHexString(p.vaddr()));
            assertEquals(p.prot(), v.prot());
            int n = (int) Math.min(p.filesz(), 4096);
            assertArrayEquals(Arrays.copyOfRange(image, (int) p.offset(), (int) p.offset() + n),
                    mm.readBytes(p.vaddr(), n));
            if (p.memsz() > p.filesz()) {
                long bss = p.vaddr() + p.filesz();
                long len = p.memsz() - p.filesz();
                assertArrayEquals(new byte[(int) len], mm.readBytes(bss, (int) len), "bss is zero");
            }
        }
        long end = elf.highestEnd();
        assertTrue(mm.currentBrk() >= end && mm.currentBrk() % 4096 == 0, "brk starts after the image");
        assertEquals(mm.currentBrk(), mm.brk(0));
        assertEquals("busybox", task.comm());
        long[] act = new long[4];
        task.signalActions().get(Signals.SIGUSR1, act);
        assertEquals(Signals.SIG_DFL, act[0], "handled signals are reset by exec");
    }

    @Test
    void anEmptyArgumentListStillGivesAValidStack() throws IOException {
        try (HostFile exe = new HostFile(BUSYBOX)) {
            ElfLoader.load(task, exe, "/bin/busybox", List.of(), List.of());
        }
        Stack s = readStack();
        assertEquals(List.of(), s.argv);
        assertEquals(List.of(), s.envp);
        assertEquals(0, s.sp % 16);
    }

    @Test
    void loadsAStaticPieAtARelocatedBase() throws Exception {
        Path src = tmp.resolve("hello.c");
        Files.writeString(src, "int counter = 5; int main(void) { return counter; }\n");
        Path exePath = tmp.resolve("hello");
        compile("-static-pie", src, exePath);
        byte[] image = Files.readAllBytes(exePath);
        ElfFile elf = parse(image);
        assertEquals(Elf.ET_DYN, elf.header().type());
        try (HostFile exe = new HostFile(exePath)) {
            ElfLoader.load(task, exe, exePath.toString(), List.of("hello"), List.of());
        }
        long bias = task.regs().rip() - elf.header().entry();
        assertTrue(bias >= ElfLoader.ET_DYN_BASE, "PIE base 0x" + Long.toHexString(bias));
        assertEquals(0, bias % elf.maxAlign());
        Stack s = readStack();
        assertEquals(0, s.sp % 16);
        assertEquals(bias + elf.phdrVaddr(), (long) s.auxv.get((long) Elf.AT_PHDR));
        assertEquals(task.regs().rip(), (long) s.auxv.get((long) Elf.AT_ENTRY));
        assertArrayEquals(Arrays.copyOf(image, 64), mm.readBytes(bias + elf.lowestVaddr(), 64));
        for (ProgramHeader p : elf.loads()) {
            assertEquals(p.prot(), mm.findVma(bias + p.vaddr()).prot());
        }
        assertTrue(mm.currentBrk() >= bias + elf.highestEnd());
    }

    @Test
    void aMalformedInterpreterPathIsEnoexecAndMapsNothing() throws Exception {
        Path src = tmp.resolve("dyn.c");
        Files.writeString(src, "int main(void) { return 0; }\n");
        Path exePath = tmp.resolve("dyn");
        compile("-no-pie", src, exePath);
        byte[] image = Files.readAllBytes(exePath);
        // Cut the NUL that ends PT_INTERP's path: Linux refuses such a file with ENOEXEC.
        ElfFile elf;
        try (HostFile exe = new HostFile(exePath)) {
            elf = ElfFile.read(exe, mm.maxUserAddress());
        }
        assertTrue(elf.interpreter().contains("ld-linux"), elf.interpreter());
        for (ProgramHeader p : elf.phdrs()) {
            if (p.type() == Elf.PT_INTERP) {
                image[(int) (p.offset() + p.filesz() - 1)] = 'x';
            }
        }
        assertLoadFails(Errno.ENOEXEC, "not NUL-terminated", image);
        assertTrue(mm.vmas().isEmpty(), "a refused executable maps nothing");
    }

    @Test
    void nonElfFilesAreEnoexec() throws IOException {
        assertLoadFails(Errno.ENOEXEC, "not an ELF", new byte[0]);
        assertLoadFails(Errno.ENOEXEC, "not an ELF", "#!/bin/sh\necho hi\n".getBytes());
        assertLoadFails(Errno.ENOEXEC, "not an ELF", "\u007fELX and more bytes than a header has".getBytes());
    }

    @Test
    void wrongClassOrMachineNamesTheArchitecture() throws IOException {
        byte[] b = Files.readAllBytes(BUSYBOX);
        byte[] c32 = b.clone();
        c32[Elf.EI_CLASS] = Elf.ELFCLASS32;
        assertLoadFails(Errno.ENOEXEC, "32-bit", c32);
        byte[] arm = b.clone();
        ByteBuffer.wrap(arm).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) Elf.EM_AARCH64);
        assertLoadFails(Errno.ENOEXEC, "AArch64", arm);
        byte[] be = b.clone();
        be[Elf.EI_DATA] = Elf.ELFDATA2MSB;
        assertLoadFails(Errno.ENOEXEC, "big-endian", be);
        byte[] rel = b.clone();
        ByteBuffer.wrap(rel).order(ByteOrder.LITTLE_ENDIAN).putShort(16, (short) Elf.ET_REL);
        assertLoadFails(Errno.ENOEXEC, "not an executable", rel);
    }

    @Test
    void malformedHeadersAreLoadExceptions() throws IOException {
        byte[] b = Files.readAllBytes(BUSYBOX);
        assertLoadFails(Errno.ENOEXEC, "truncated ELF header", Arrays.copyOf(b, 40));
        assertLoadFails(Errno.ENOEXEC, "program headers", Arrays.copyOf(b, 100));
        byte[] phnum = b.clone();
        ByteBuffer.wrap(phnum).order(ByteOrder.LITTLE_ENDIAN).putShort(56, (short) 0xffff);
        assertLoadFails(Errno.ENOEXEC, "65535 program headers", phnum);
        byte[] none = b.clone();
        ByteBuffer.wrap(none).order(ByteOrder.LITTLE_ENDIAN).putShort(56, (short) 0);
        assertLoadFails(Errno.ENOEXEC, "0 program headers", none);
        byte[] phoff = b.clone();
        ByteBuffer.wrap(phoff).order(ByteOrder.LITTLE_ENDIAN).putLong(32, Long.MAX_VALUE - 10);
        assertLoadFails(Errno.ENOEXEC, "past the end", phoff);
        byte[] entsize = b.clone();
        ByteBuffer.wrap(entsize).order(ByteOrder.LITTLE_ENDIAN).putShort(54, (short) 32);
        assertLoadFails(Errno.ENOEXEC, "program header size", entsize);
    }

    @Test
    void malformedSegmentsAreLoadExceptions() throws IOException {
        byte[] b = Files.readAllBytes(BUSYBOX);
        int ph1 = 64 + 56; // busybox's second PT_LOAD (text)
        byte[] beyond = b.clone();
        ByteBuffer.wrap(beyond).order(ByteOrder.LITTLE_ENDIAN).putLong(ph1 + 32, 1L << 40).putLong(ph1 + 40, 1L << 40);
        assertLoadFails(Errno.ENOEXEC, "past the end of the file", beyond);
        byte[] fileBigger = b.clone();
        ByteBuffer.wrap(fileBigger).order(ByteOrder.LITTLE_ENDIAN).putLong(ph1 + 40, 16);
        assertLoadFails(Errno.EINVAL, "does not fit", fileBigger);
        byte[] high = b.clone();
        ByteBuffer.wrap(high).order(ByteOrder.LITTLE_ENDIAN).putLong(ph1 + 16, 0xffff_8000_0000_1000L);
        assertLoadFails(Errno.EINVAL, "does not fit", high);
        byte[] skew = b.clone();
        ByteBuffer.wrap(skew).order(ByteOrder.LITTLE_ENDIAN).putLong(ph1 + 16, 0x401010L);
        assertLoadFails(Errno.EINVAL, "within a page", skew);
    }

    @Test
    void fuzzedHeadersNeverThrowAnythingButLoadException() throws IOException {
        byte[] b = Files.readAllBytes(BUSYBOX);
        Random r = new Random(42);
        int loaded = 0;
        for (int i = 0; i < 300; i++) {
            byte[] m = b.clone();
            int flips = 1 + r.nextInt(6);
            for (int f = 0; f < flips; f++) {
                int at = r.nextInt(64 + 10 * 56);
                m[at] = (byte) (r.nextInt(8) == 0 ? 0xff : r.nextInt(256));
            }
            Path p = tmp.resolve("fuzz");
            Files.write(p, m);
            try (HostFile exe = new HostFile(p)) {
                ElfLoader.load(task, exe, "/fuzz", List.of("fuzz"), List.of());
                loaded++;
            } catch (LoadException expected) {
                assertNotNull(expected.errno());
            }
            as.assertMirrors(mm);
            mm.releaseAll();
            assertEquals(0, file.allocated());
        }
        assertTrue(loaded > 0 && loaded < 300, "some mutations load and some do not: " + loaded);
    }

    @Test
    void argumentsBeyondTheLimitAreE2big() throws IOException {
        String huge = "x".repeat(200_000);
        try (HostFile exe = new HostFile(BUSYBOX)) {
            LoadException e = assertThrows(LoadException.class,
                    () -> ElfLoader.load(task, exe, "/bin/busybox", List.of("busybox", huge), List.of()));
            assertEquals(Errno.E2BIG, e.errno());
            List<String> many = java.util.Collections.nCopies(30, "y".repeat(100_000));
            e = assertThrows(LoadException.class,
                    () -> ElfLoader.load(task, exe, "/bin/busybox", many, List.of()));
            assertEquals(Errno.E2BIG, e.errno());
        }
        assertTrue(mm.vmas().isEmpty());
    }

    private void assertLoadFails(Errno errno, String message, byte[] content) throws IOException {
        try (HostFile exe = HostFile.of(tmp, content)) {
            LoadException e = assertThrows(LoadException.class,
                    () -> ElfLoader.load(task, exe, "/x", List.of("x"), List.of()));
            assertEquals(errno, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains(message), e.getMessage());
        }
        assertTrue(mm.vmas().isEmpty(), "a refused executable maps nothing");
    }

    private ElfFile parse(byte[] image) throws IOException {
        try (HostFile f = HostFile.of(tmp, image)) {
            return ElfFile.read(f, mm.maxUserAddress());
        }
    }

    private static void compile(String mode, Path src, Path out) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is needed to build the test program");
        Process p = new ProcessBuilder("gcc", mode, "-O1", "-o", out.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gcc timed out");
        assertEquals(0, p.exitValue(), "gcc failed: " + log);
    }
}
