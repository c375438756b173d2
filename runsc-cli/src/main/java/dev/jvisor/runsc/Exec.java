package dev.jvisor.runsc;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import dev.jvisor.runsc.container.Console;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerState;
import dev.jvisor.runsc.container.ExecHelper;
import dev.jvisor.runsc.container.Status;
import dev.jvisor.runsc.control.ControlRequest;
import dev.jvisor.runsc.control.ControlResponse;
import dev.jvisor.runsc.control.ExecProcess;
import dev.jvisor.runsc.control.UnixSocket;
import dev.jvisor.runsc.oci.BundleConfigException;
import dev.jvisor.runsc.oci.ConfigReader;
import dev.jvisor.runsc.oci.OciSpec;
import dev.jvisor.runsc.oci.ResourceLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc exec [--process F | ID CMD ARGS...] [--detach --pid-file P]}: runs a new process in a running
 * container. The sentry starts it with this command's fds 0, 1 and 2 (sent over the control socket) and keeps
 * the connection; with a terminal ({@code process.terminal}, or {@code --tty} with {@code --console-socket}) it
 * sends instead the slave of a new host pty, over which the sentry emulates the process's own terminal
 * (/dev/pts/N, its session's controlling terminal), and the master goes to {@code --console-socket}; the connection then goes to the exec helper ({@link ExecHelper}), which stands for the process
 * on the host: it forwards the signals it gets and exits with the process's status. With {@code --detach} the
 * helper is a child left behind (its PID in the pid-file; containerd's shim reaps it); without, this JVM becomes
 * the helper (execve), so the caller waits for this very PID and gets the process's status.
 */
@Command(name = "exec", sortOptions = false, description = "Run a new process in a running container.")
final class Exec extends BaseCommand {
    @Option(names = {"-p", "--process"}, paramLabel = "FILE",
            description = "An OCI process spec (JSON) to run instead of CMD.")
    Path process;

    @Option(names = {"-d", "--detach"}, description = "Leave the process running; do not wait for it.")
    boolean detach;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the process's host PID here.")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "SOCKET",
            description = "With a terminal: send the new pseudoterminal's master to this Unix socket.")
    Path consoleSocket;

    @Option(names = {"-t", "--tty"}, description = "Give the process a terminal (needs --console-socket; "
            + "without it, the process gets this command's stdio, a terminal if it is one).")
    boolean tty;

    @Option(names = "--cwd", paramLabel = "DIR", description = "The working directory inside the container.")
    String cwd;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "The user to run as.")
    String user;

    @Option(names = {"-g", "--additional-gids"}, paramLabel = "GID", description = "A supplementary group.")
    List<Integer> additionalGids = new ArrayList<>();

    @Option(names = "--ignore-paused", hidden = true, description = "Exec in a paused container too (runc's).")
    boolean ignored;

    @Option(names = "--no-new-privs", hidden = true, description = "Accepted for runc; ignored.")
    boolean noNewPrivs;

    @Option(names = {"-c", "--cap", "--apparmor", "--process-label", "--preserve-fds", "--cgroup"}, hidden = true,
            paramLabel = "VALUE", description = "Accepted for runc; ignored.")
    List<String> ignoredValues;

    @Parameters(index = "0", paramLabel = "ID", description = "The container's ID.")
    String id;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    protected int execute() throws IOException {
        ContainerState s = Container.read(globals().rootPath(), id);
        // As runc: a created container takes exec too (its init has not run yet); stopped and paused ones do not.
        if (s.status() == Status.STOPPED || (s.status() == Status.PAUSED && !ignored)) {
            throw new CliException("cannot exec in a " + s.status().toString().toLowerCase(java.util.Locale.ROOT)
                    + " container " + id);
        }
        ExecProcess p = processSpec(s);
        Log.debug("exec " + p.args() + " in " + id);
        try (Console console = terminal ? Console.open(rows, cols) : null) {
            return exec(p, console);
        }
    }

    /** Whether the process gets a new terminal (process.terminal, or --tty with --console-socket). */
    private boolean terminal;
    private Integer rows;
    private Integer cols;

    private int exec(ExecProcess p, Console console) throws IOException {
        int[] fds;
        if (console != null) {
            fds = new int[] {console.slave()}; // the sentry's terminal over it is the process's fds 0-2
        } else {
            List<Integer> stdio = new ArrayList<>();
            for (int fd = 0; fd <= 2; fd++) {
                if (Host.fcntl(fd, dev.jvisor.abi.Fcntl.F_GETFL, 0) >= 0) {
                    stdio.add(fd);
                }
            }
            fds = stdio.stream().mapToInt(Integer::intValue).toArray();
        }
        int[] targets = console != null ? new int[] {0} : fds;
        Path socket = Container.controlSocket(globals().rootPath().resolve(id));
        UnixSocket conn;
        try {
            conn = UnixSocket.connect(socket);
        } catch (IOException e) {
            throw new CliException("container " + id + " is not running (no answer on " + socket + ")");
        }
        try {
            conn.send((JSON.writeValueAsString(ControlRequest.exec(p, targets)) + "\n")
                    .getBytes(StandardCharsets.UTF_8), fds);
            String line = conn.readLine(new ArrayList<>(), 65536);
            if (line == null) {
                throw new CliException("the sandbox of " + id + " went away during exec");
            }
            ControlResponse r = JSON.readValue(line, ControlResponse.class);
            if (!r.ok()) {
                throw new CliException(r.error(), r.exitStatus() != null ? r.exitStatus() : FAILURE);
            }
            Log.debug("exec: sandbox pid " + r.pid());
            if (console != null) {
                // As runc: the caller (containerd's shim) receives the master once the process exists.
                console.sendMaster(consoleSocket);
            }
            if (detach) {
                int pid = ExecHelper.spawn(conn.fd());
                if (pidFile != null) {
                    Container.writeAtomically(pidFile.toAbsolutePath(),
                            Integer.toString(pid).getBytes(StandardCharsets.US_ASCII));
                }
                return OK;
            }
            if (pidFile != null) {
                Container.writeAtomically(pidFile.toAbsolutePath(),
                        Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
            }
            out().flush();
            ExecHelper.execInPlace(conn.fd()); // does not return
            return FAILURE;
        } finally {
            conn.close();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The process to run: --process's file, or CMD with the container's own process spec for the rest. */
    private ExecProcess processSpec(ContainerState s) {
        OciSpec.Process base;
        if (process != null) {
            if (!command.isEmpty()) {
                throw new CliException("exec: give either --process or a command, not both", USAGE);
            }
            try {
                base = ConfigReader.readProcess(process);
            } catch (BundleConfigException e) {
                throw new CliException("process spec " + e.getMessage());
            }
            terminal = Boolean.TRUE.equals(base.terminal());
            if (base.consoleSize() != null) {
                rows = base.consoleSize().height();
                cols = base.consoleSize().width();
            }
        } else {
            if (command.isEmpty()) {
                throw new CliException("exec: no command given (a command or --process FILE)", USAGE);
            }
            base = containerProcess(s);
        }
        terminal |= tty && consoleSocket != null;
        if (terminal && consoleSocket == null) {
            throw new CliException("process.terminal needs --console-socket (the caller receives the pty master)");
        }
        if (!terminal && consoleSocket != null) {
            throw new CliException("--console-socket needs a terminal (process.terminal or --tty)");
        }
        List<String> args = process != null ? base.args() : command;
        if (args == null || args.isEmpty()) {
            throw new CliException("exec: the process has no args");
        }
        List<String> environment = new ArrayList<>(base.env() == null ? List.of() : base.env());
        environment.addAll(env);
        int uid = base.user() != null ? base.user().uid() : 0;
        int gid = base.user() != null ? base.user().gid() : 0;
        List<Integer> groups = new ArrayList<>(base.user() != null && base.user().additionalGids() != null
                ? base.user().additionalGids() : List.of());
        if (user != null) {
            String[] ug = user.split(":", 2);
            try {
                uid = Integer.parseInt(ug[0]);
                gid = ug.length > 1 ? Integer.parseInt(ug[1]) : gid;
            } catch (NumberFormatException e) {
                throw new CliException("exec: --user takes UID[:GID] numbers, not '" + user + "'", USAGE);
            }
        }
        groups.addAll(additionalGids);
        String dir = cwd != null ? cwd : base.cwd() != null && !base.cwd().isEmpty() ? base.cwd() : "/";
        List<ExecProcess.Rlimit> limits = new ArrayList<>();
        try {
            for (var r : ResourceLimits.rlimits(process != null ? process.toString() : "config.json", base)) {
                limits.add(new ExecProcess.Rlimit(r.resource(), r.soft(), r.hard()));
            }
        } catch (BundleConfigException e) {
            throw new CliException(e.getMessage());
        }
        return new ExecProcess(List.copyOf(args), environment, dir, uid, gid,
                groups.stream().mapToInt(Integer::intValue).toArray(),
                base.user() != null ? base.user().umask() : null, limits, terminal ? Boolean.TRUE : null);
    }

    /** The container's config.json process (its env, user and cwd are exec's defaults, as with runc). */
    private static OciSpec.Process containerProcess(ContainerState s) {
        try {
            OciSpec spec = ConfigReader.read(Path.of(s.bundle()).resolve("config.json"));
            if (spec.process() != null) {
                return spec.process();
            }
        } catch (BundleConfigException | RuntimeException e) {
            Log.debug("exec: no process defaults from the bundle: " + e.getMessage());
        }
        return new OciSpec.Process(false, null, null, List.of(), List.of("PATH=" + DEFAULT_PATH), "/", null, null,
                false, null);
    }

    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}
