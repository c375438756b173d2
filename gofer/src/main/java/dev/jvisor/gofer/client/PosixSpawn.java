package dev.jvisor.gofer.client;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.Host;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Starts a helper process with glibc's posix_spawn through FFM (never ProcessBuilder: it cannot place a
 * descriptor at a chosen number, and the JDK's reaper would race our waitpid). The child gets {@code passFd} as
 * fd {@code targetFd}, /dev/null as stdin, stdout and stderr, no other descriptor, an empty signal mask, default
 * dispositions for every signal, a session of its own (so terminal signals aimed at the workload's foreground
 * group miss it), and an empty environment.
 */
final class PosixSpawn {
    private PosixSpawn() {}

    /** Returns the child's pid; throws {@link GoferException} naming the failed step. */
    static int spawn(List<String> argv, int passFd, int targetFd) {
        if (argv.isEmpty() || !argv.get(0).startsWith("/")) {
            throw new IllegalArgumentException("the command must start with an absolute path: " + argv);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(Host.SPAWN_FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = a.allocate(Host.SPAWN_ATTR_SIZE, 16);
            check(Host.posixSpawnFileActionsInit(fa), "posix_spawn_file_actions_init");
            check(Host.posixSpawnattrInit(attr), "posix_spawnattr_init");
            try {
                // dup2 first: should passFd be 0..2, the /dev/null opens below would otherwise replace it.
                check(Host.posixSpawnFileActionsAdddup2(fa, passFd, targetFd), "adddup2");
                MemorySegment devNull = a.allocateFrom("/dev/null");
                check(Host.posixSpawnFileActionsAddopen(fa, 0, devNull, Fcntl.O_RDONLY, 0), "addopen stdin");
                check(Host.posixSpawnFileActionsAddopen(fa, 1, devNull, Fcntl.O_WRONLY, 0), "addopen stdout");
                check(Host.posixSpawnFileActionsAddopen(fa, 2, devNull, Fcntl.O_WRONLY, 0), "addopen stderr");
                check(Host.posixSpawnFileActionsAddclosefromNp(fa, Math.max(3, targetFd + 1)), "addclosefrom_np");

                MemorySegment none = a.allocate(Host.SIGSET_SIZE);
                MemorySegment all = a.allocate(Host.SIGSET_SIZE).fill((byte) 0xff);
                check(Host.posixSpawnattrSetsigmask(attr, none), "setsigmask");
                check(Host.posixSpawnattrSetsigdefault(attr, all), "setsigdefault");
                check(Host.posixSpawnattrSetflags(attr, (short) (Host.POSIX_SPAWN_SETSIGMASK
                        | Host.POSIX_SPAWN_SETSIGDEF | Host.POSIX_SPAWN_SETSID)), "setflags");

                MemorySegment args = a.allocate(ADDRESS, argv.size() + 1);
                for (int i = 0; i < argv.size(); i++) {
                    args.setAtIndex(ADDRESS, i, a.allocateFrom(argv.get(i)));
                }
                args.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
                MemorySegment env = a.allocate(ADDRESS, 1);
                env.setAtIndex(ADDRESS, 0, MemorySegment.NULL);

                MemorySegment pid = a.allocate(JAVA_INT);
                check(Host.posixSpawn(pid, args.getAtIndex(ADDRESS, 0), fa, attr, args, env),
                        "posix_spawn " + argv.get(0));
                return pid.get(JAVA_INT, 0);
            } finally {
                Host.posixSpawnFileActionsDestroy(fa);
                Host.posixSpawnattrDestroy(attr);
            }
        }
    }

    private static void check(int r, String what) {
        if (r < 0) {
            throw new GoferException(what + ": " + Errno.name(-r));
        }
    }
}
