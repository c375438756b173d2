package dev.jvisor.runsc.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One container's directory, {@code <root>/<id>/}: state.json (the state, replaced atomically), control.sock
 * (the sentry's control socket), exit (the init's exit status, written by the sentry as it exits) and lock.
 * A handle holds the container's lock (an exclusive record lock on the lock file) until closed, so commands on
 * one id run one at a time; readers ({@link #read}) need no lock because state.json is only ever replaced by
 * rename.
 */
public final class Container implements AutoCloseable {
    public static final String STATE = "state.json";
    public static final String CONTROL = "control.sock";
    public static final String EXIT = "exit";
    private static final String LOCK = "lock";

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final java.nio.file.attribute.FileAttribute<?> PRIVATE_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x"));

    private static final Pattern VALID_ID = Pattern.compile("[\\w+.-]+");

    private final String id;
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private Container(String id, Path dir, FileChannel lockChannel, FileLock lock) {
        this.id = id;
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Checks an id as runc does: letters, digits, '_', '+', '-' and '.', and never "." or "..". */
    public static String checkId(String id) {
        if (id == null || !VALID_ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new ContainerException("invalid container id '" + id + "'");
        }
        return id;
    }

    /** Makes the directory of a new container and locks it; fails when the id is taken. */
    public static Container create(Path root, String id) {
        checkId(id);
        Path dir = root.resolve(id);
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root, PRIVATE_DIR);
            }
            // 0711, as runc makes them: other users may not list ids or reach the control socket.
            Files.createDirectory(dir, PRIVATE_DIR);
        } catch (FileAlreadyExistsException e) {
            throw new ContainerException("container with id " + id + " already exists");
        } catch (IOException e) {
            throw new ContainerException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
        }
        return locked(id, dir);
    }

    /** Locks an existing container; fails when there is none with this id. */
    public static Container open(Path root, String id) {
        checkId(id);
        Path dir = root.resolve(id);
        if (!Files.isDirectory(dir)) {
            throw notFound(id);
        }
        Container c = locked(id, dir);
        // The container may have been deleted while we waited for its lock, or be half-created.
        if (!Files.exists(dir.resolve(STATE))) {
            c.close();
            throw notFound(id);
        }
        return c;
    }

    /**
     * Locks a container's directory whether or not it has a state yet: a create that was killed before writing
     * state.json leaves one behind, which {@code delete --force} removes. Fails when there is no directory.
     */
    public static Container openIncomplete(Path root, String id) {
        checkId(id);
        Path dir = root.resolve(id);
        if (!Files.isDirectory(dir)) {
            throw notFound(id);
        }
        return locked(id, dir);
    }

    /** Whether state.json exists: false for a container that is being created or whose create died. */
    public boolean hasState() {
        return Files.exists(dir.resolve(STATE));
    }

    /** Reads a container's state without locking, with its status as it is now ({@link #effective}). */
    public static ContainerState read(Path root, String id) {
        checkId(id);
        return effective(root.resolve(id));
    }

    /** The states of every container under {@code root}, by id; containers being created are skipped. */
    public static List<ContainerState> list(Path root) {
        List<ContainerState> states = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return states;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.exists(d.resolve(STATE))) {
                    try {
                        states.add(effective(d));
                    } catch (ContainerException e) {
                        // deleted meanwhile
                    }
                }
            }
        } catch (IOException e) {
            throw new ContainerException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return states;
    }

    private static ContainerException notFound(String id) {
        return new ContainerException("container " + id + " does not exist");
    }

    private static Container locked(String id, Path dir) {
        try {
            FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new Container(id, dir, ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw notFound(id);
        } catch (IOException e) {
            throw new ContainerException("cannot lock container " + id + ": " + e.getMessage(), e);
        }
    }

    public String id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    /** Where this container's sentry listens: see {@link #controlSocket(Path)}. */
    public Path controlSocket() {
        return controlSocket(dir);
    }

    /** The longest socket path a sockaddr_un holds (108 bytes with the terminating NUL). */
    static final int MAX_SOCKET_PATH = 107;

    /**
     * The control socket of the container in {@code dir}: {@code dir/control.sock} when that path fits in a
     * sockaddr_un, else {@code <tmpdir>/jrunsc-<user>/<hash of dir>.sock}. containerd's and Docker's 64-character
     * ids under their state roots make paths longer than the 107 bytes a Unix socket path may have.
     */
    public static Path controlSocket(Path dir) {
        Path p = dir.resolve(CONTROL);
        if (p.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return p;
        }
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(dir.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "jrunsc-" + System.getProperty("user.name"),
                HexFormat.of().formatHex(hash, 0, 12) + ".sock");
    }

    /**
     * Makes the directory of a control socket that lives outside the container's directory: private to this
     * user (0700), and refused when someone else owns it.
     */
    public static void prepareSocketDir(Path socket) throws IOException {
        Path parent = socket.getParent();
        try {
            Files.createDirectory(parent, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // made earlier
        }
        String owner = Files.getOwner(parent, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(System.getProperty("user.name")) || Files.isSymbolicLink(parent)) {
            throw new IOException(parent + " belongs to " + owner);
        }
    }

    /** The state, with its status as it is now. */
    public ContainerState state() {
        return effective(dir);
    }

    /**
     * The stored state, except that a container whose sandbox process is gone (it exited, or was killed with
     * SIGKILL so that nothing could update the file) is stopped.
     */
    static ContainerState effective(Path dir) {
        ContainerState s;
        try {
            s = JSON.readValue(Files.readAllBytes(dir.resolve(STATE)), ContainerState.class);
        } catch (NoSuchFileException e) {
            throw notFound(dir.getFileName().toString());
        } catch (IOException e) {
            throw new ContainerException("corrupt state " + dir.resolve(STATE) + ": " + e.getMessage(), e);
        }
        if (s.status() != Status.STOPPED
                && (Files.exists(dir.resolve(EXIT)) || !HostProcess.alive(s.pid(), s.sandboxStartTime()))) {
            return s.withStatus(Status.STOPPED);
        }
        return s;
    }

    /** The init's exit status as the sentry recorded it, or -1 when it has not exited (or died unrecorded). */
    public int exitStatus() {
        try {
            return Integer.parseInt(Files.readString(dir.resolve(EXIT)).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Replaces state.json atomically: a temporary file, fsync, rename, then fsync of the directory. */
    public void save(ContainerState s) {
        try {
            writeAtomically(dir.resolve(STATE), JSON.writeValueAsBytes(s));
        } catch (IOException e) {
            throw new ContainerException("cannot encode the state of " + id + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code data} to {@code file} so that a reader sees the old content or the new, never a mix. */
    public static void writeAtomically(Path file, byte[] data) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                // some filesystems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new ContainerException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes the container's directory and everything in it, and a control socket kept elsewhere; the lock stays
     * held until {@link #close}.
     */
    public void remove() {
        Path socket = controlSocket();
        if (!socket.startsWith(dir)) {
            try {
                Files.deleteIfExists(socket); // left behind by a sentry that was killed
            } catch (IOException e) {
                throw new ContainerException("cannot remove " + socket + ": " + e.getMessage(), e);
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    throw new ContainerException("cannot remove " + dir + ": a file appeared in it meanwhile");
                }
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException | UncheckedIOException e) {
            throw new ContainerException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            // nothing to do: the lock goes with the process anyway
        }
    }
}
