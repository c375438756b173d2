package dev.jvisor.runsc.container;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Mman;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The process {@code jrunsc exec} leaves behind for the exec'd process, whose PID the pid-file names: a static
 * ELF of a few hundred bytes of machine code (source: {@code src/main/asm/exec-helper.S}), made here and run from
 * a memfd, because a JVM per exec is far too heavy. It holds the exec connection to the sentry; it forwards
 * every signal it gets (containerd kill(2)s that PID) to the exec'd process and exits with the exec'd process's
 * status (dies by its signal); 255 when the sentry is gone. When it is killed with SIGKILL, the sentry sees its
 * end close and kills the exec'd process. Its comm is "jrunsc-exec".
 */
public final class ExecHelper {
    private ExecHelper() {}

    /** The fd at which the detached helper finds its connection to the sentry. */
    static final int SOCKET_FD = 3;

    /** exec-helper.S, assembled; the socket's fd is the imm32 at each of {@link #SOCKET_FD_IMM}. */
    private static final byte[] CODE = HexFormat.of().parseHex(
            "4881ec0001000048c70424ffffffffb80e00000031ff4889e631d241ba080000"
            + "000f0548b86a72756e73632d654889442420c744242878656300b89d000000bf"
            + "0f000000488d7424200f05b821010000bfffffffff4889e6ba0800000041ba00"
            + "0008000f0585c00f88fd0000004189c44489642408c744240c01000000c74424"
            + "1003000000c744241401000000b807000000488d7c2408be02000000baffffff"
            + "ff0f054885c07ec80fb744241685c0753131c04489e7488d742420ba80000000"
            + "0f05483d8000000075a6b801000000bf03000000488d742420ba040000000f05"
            + "eb8e31c0bf03000000488db424a0000000ba040000000f054883f804756c8b9c"
            + "24a00000004189dd4183e57f745448c7c0ffffffff418d4dff480fb3c8488904"
            + "24b80e000000bf020000004889e631d241ba080000000f05b89d000000bf0400"
            + "000031f60f05b8270000000f0589c74489eeb83e0000000f05418dbd80000000"
            + "eb0dc1eb080fb6fbeb05bfff000000b8e70000000f050f0b");

    /** Offsets in {@link #CODE} of the immediates that hold the socket's fd (pollfd.fd, write's and read's fd). */
    private static final int[] SOCKET_FD_IMM = {0x81, 0xd0, 0xe5};

    private static final long BASE = 0x400000;
    private static final int EHDR = 64, PHDR = 56;

    /** The helper as an ELF executable whose connection is fd {@code socketFd}. */
    static byte[] elf(int socketFd) {
        byte[] code = CODE.clone();
        for (int off : SOCKET_FD_IMM) {
            if (code[off] != SOCKET_FD || code[off + 1] != 0 || code[off + 2] != 0 || code[off + 3] != 0) {
                throw new IllegalStateException("exec helper code does not match its fd offsets");
            }
            ByteBuffer.wrap(code, off, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(socketFd);
        }
        int headers = EHDR + 2 * PHDR;
        ByteBuffer b = ByteBuffer.allocate(headers + code.length).order(ByteOrder.LITTLE_ENDIAN);
        // Elf64_Ehdr
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0); // ELFCLASS64, LSB, EV_CURRENT, SYSV
        b.putShort((short) 2).putShort((short) 62).putInt(1);           // ET_EXEC, EM_X86_64, EV_CURRENT
        b.putLong(BASE + headers).putLong(EHDR).putLong(0);             // e_entry, e_phoff, e_shoff
        b.putInt(0).putShort((short) EHDR).putShort((short) PHDR).putShort((short) 2); // flags, sizes, phnum
        b.putShort((short) 0).putShort((short) 0).putShort((short) 0);  // no sections
        // PT_LOAD: the whole file, read + execute
        b.putInt(1).putInt(5).putLong(0).putLong(BASE).putLong(BASE)
                .putLong(headers + code.length).putLong(headers + code.length).putLong(0x1000);
        // PT_GNU_STACK: a non-executable stack
        b.putInt(0x6474e551).putInt(6).putLong(0).putLong(0).putLong(0).putLong(0).putLong(0).putLong(16);
        b.put(code);
        return b.array();
    }

    /** A sealed-off memfd (close-on-exec) holding the helper for {@code socketFd}. */
    static int memfd(int socketFd) {
        byte[] image = elf(socketFd);
        try (Arena a = Arena.ofConfined()) {
            int fd = Host.memfdCreate(a.allocateFrom("jrunsc-exec"), Mman.MFD_CLOEXEC);
            if (fd < 0) {
                throw new ContainerException("exec helper: memfd_create: " + Errno.name(-fd));
            }
            MemorySegment buf = a.allocate(image.length);
            buf.copyFrom(MemorySegment.ofArray(image));
            long n = Host.write(fd, buf.address(), image.length);
            if (n != image.length) {
                Host.close(fd);
                throw new ContainerException("exec helper: write: " + (n < 0 ? Errno.name((int) -n) : "short"));
            }
            return fd;
        }
    }

    /**
     * Starts the helper detached (a session of its own) with {@code socket} as its fd 3 and /dev/null as its
     * stdio; returns its PID. It is our child: once we exit, the caller's subreaper (containerd's shim) inherits
     * and reaps it.
     */
    public static int spawn(int socket) {
        int memfd = memfd(SOCKET_FD);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(Host.SPAWN_FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = a.allocate(Host.SPAWN_ATTR_SIZE, 16);
            check(Host.posixSpawnFileActionsInit(fa), "posix_spawn_file_actions_init");
            check(Host.posixSpawnattrInit(attr), "posix_spawnattr_init");
            try {
                check(Host.posixSpawnFileActionsAdddup2(fa, socket, SOCKET_FD), "adddup2");
                MemorySegment devNull = a.allocateFrom("/dev/null");
                check(Host.posixSpawnFileActionsAddopen(fa, 0, devNull, Fcntl.O_RDONLY, 0), "addopen stdin");
                check(Host.posixSpawnFileActionsAddopen(fa, 1, devNull, Fcntl.O_WRONLY, 0), "addopen stdout");
                check(Host.posixSpawnFileActionsAddopen(fa, 2, devNull, Fcntl.O_WRONLY, 0), "addopen stderr");
                check(Host.posixSpawnFileActionsAddclosefromNp(fa, SOCKET_FD + 1), "addclosefrom_np");
                // Every signal blocked from the start: none sent before its signalfd exists is lost.
                MemorySegment all = a.allocate(Host.SIGSET_SIZE).fill((byte) 0xff);
                check(Host.posixSpawnattrSetsigmask(attr, all), "setsigmask");
                check(Host.posixSpawnattrSetsigdefault(attr, all), "setsigdefault");
                check(Host.posixSpawnattrSetflags(attr, (short) (Host.POSIX_SPAWN_SETSIGMASK
                        | Host.POSIX_SPAWN_SETSIGDEF | Host.POSIX_SPAWN_SETSID)), "setflags");
                // The memfd is close-on-exec, but execve opens the binary before it closes those.
                MemorySegment path = a.allocateFrom("/proc/" + Host.getpid() + "/fd/" + memfd);
                MemorySegment argv = a.allocate(ADDRESS, 2);
                argv.setAtIndex(ADDRESS, 0, a.allocateFrom("jrunsc-exec"));
                argv.setAtIndex(ADDRESS, 1, MemorySegment.NULL);
                MemorySegment envp = a.allocate(ADDRESS, 1);
                envp.setAtIndex(ADDRESS, 0, MemorySegment.NULL);
                MemorySegment pid = a.allocate(JAVA_INT);
                check(Host.posixSpawn(pid, path, fa, attr, argv, envp), "posix_spawn");
                return pid.get(JAVA_INT, 0);
            } finally {
                Host.posixSpawnFileActionsDestroy(fa);
                Host.posixSpawnattrDestroy(attr);
            }
        } finally {
            Host.close(memfd);
        }
    }

    /**
     * Replaces this process (the JVM) with the helper, keeping its PID, session and terminal: {@code jrunsc exec}
     * in the foreground. {@code socket} stays where it is. Returns only by throwing.
     */
    public static void execInPlace(int socket) {
        int memfd = memfd(socket);
        try (Arena a = Arena.ofConfined()) {
            check(Host.fcntl(socket, Fcntl.F_SETFD, 0), "fcntl F_SETFD"); // keep it across execve
            MemorySegment argv = a.allocate(ADDRESS, 2);
            argv.setAtIndex(ADDRESS, 0, a.allocateFrom("jrunsc-exec"));
            argv.setAtIndex(ADDRESS, 1, MemorySegment.NULL);
            MemorySegment envp = a.allocate(ADDRESS, 1);
            envp.setAtIndex(ADDRESS, 0, MemorySegment.NULL);
            int r = Host.execveat(memfd, a.allocateFrom(""), argv, envp, Fcntl.AT_EMPTY_PATH);
            throw new ContainerException("exec helper: execveat: " + Errno.name(-r));
        } finally {
            Host.close(memfd);
        }
    }

    private static void check(int r, String what) {
        if (r < 0) {
            throw new ContainerException("cannot start the exec helper: " + what + ": " + Errno.name(-r));
        }
    }
}
