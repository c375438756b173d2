package dev.jvisor.sentry.boot;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.gofer.client.GoferClient;
import dev.jvisor.gofer.client.GoferException;
import dev.jvisor.gofer.client.GoferLauncher;
import dev.jvisor.gofer.client.GoferProcess;
import dev.jvisor.sentry.fs.gofer.GoferFilesystem;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SignalDelivery;
import dev.jvisor.sentry.kernel.SignalInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.TaskExit;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.loader.ElfLoader;
import dev.jvisor.sentry.loader.LoadException;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.mm.MemoryManager;
import dev.jvisor.sentry.platform.Platform;
import dev.jvisor.sentry.platform.PlatformProvider;
import dev.jvisor.sentry.strace.SyscallPrinter;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Boots a sandbox in this JVM, which becomes the sentry: the gofer (started first, so its JVM starts while we
 * set up), the memory file, the platform, the filesystem and the init task. Then it waits for init to exit.
 */
public final class Sandbox implements AutoCloseable {
    /** Default cap on workload memory when the spec sets none: the host's RAM, as a container without limits sees. */
    static long defaultMemoryLimit() {
        long host = ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return Math.min(MemoryFile.DEFAULT_SIZE, host > 0 ? host : MemoryFile.DEFAULT_SIZE);
    }

    private final GoferProcess gofer;
    private final MemoryFile memoryFile;
    private final Platform platform;
    private final Kernel kernel;
    private final ThreadGroup init;
    private final Thread initThread;
    /** Opened by {@link #start} (or by a kill before it): the loaded init task waits on it. */
    private final CountDownLatch released;
    private final Terminal terminal;

    private Sandbox(GoferProcess gofer, MemoryFile memoryFile, Platform platform, Kernel kernel,
                    ThreadGroup init, Thread initThread, CountDownLatch released, Terminal terminal) {
        this.terminal = terminal;
        this.gofer = gofer;
        this.memoryFile = memoryFile;
        this.platform = platform;
        this.kernel = kernel;
        this.init = init;
        this.initThread = initThread;
        this.released = released;
    }

    /**
     * Runs the sandbox to completion and returns the init process's exit status as a shell reports it: its exit
     * code, or 128 + the signal that killed it.
     *
     * @throws SandboxException for a failure to start (missing binary: exit 127; not executable or not a
     *     supported ELF: 126), with a one-line message
     */
    public static int run(SandboxSpec spec) {
        try (Sandbox s = start(spec)) {
            return s.waitExit();
        }
    }

    /** Boots the sandbox and starts its init process; returns once init runs (or throws why it cannot). */
    public static Sandbox start(SandboxSpec spec) {
        Sandbox s = create(spec);
        s.start();
        return s;
    }

    /**
     * Boots the sandbox up to a loaded init process that has not run a single instruction ({@code runc create});
     * {@link #start} lets it run. Throws as {@link #run} does when init cannot be loaded.
     */
    public static Sandbox create(SandboxSpec spec) {
        PlatformProvider provider = provider(spec.platform());
        List<String> goferCommand = spec.goferCommand() == null || spec.goferCommand().isEmpty()
                ? GoferLauncher.defaultCommand() : spec.goferCommand();
        // The sentry never writes to the rootfs (an overlay takes the writes), so its gofer tree is read-only.
        GoferProcess gofer = GoferLauncher.spawn(goferCommand, spec.rootPath(), true, binds(spec));
        MemoryFile mf = null;
        Platform platform = null;
        Terminal terminal = null;
        try {
            SandboxSpec.Limits limits = spec.limits() == null ? SandboxSpec.Limits.NONE : spec.limits();
            mf = new MemoryFile(MemoryFile.DEFAULT_SIZE,
                    limits.memoryBytes() > 0 ? limits.memoryBytes() : defaultMemoryLimit());
            platform = provider.create(mf.fd());
            // The gofer's JVM has been booting meanwhile; this is the first wait for it.
            GoferClient client = goferClient(gofer, spec);
            // root.readonly with the in-memory overlay: writes go to the overlay (runc's default spec says
            // readonly); without one the root refuses them (EROFS).
            VirtualFilesystem vfs = VirtualFilesystem.forSandbox(client, spec.overlay(), false);
            mount(vfs, spec, client);
            if (spec.terminal()) {
                terminal = openTerminal();
                vfs.devfs().addTerminal(terminal, spec.uid(), spec.gid());
            }
            Kernel kernel = new Kernel(mf, platform, vfs, spec.hostname());
            if (spec.strace()) {
                kernel.strace(SyscallPrinter.toDebugLogOrStderr());
            }
            if (limits.maxTasks() > 0) {
                kernel.pids().maxTasks(limits.maxTasks());
            }
            ThreadGroup tg = ThreadGroup.newInit(kernel.pids(), kernel.allocatePid());
            for (SandboxSpec.Rlimit r : limits.rlimits()) {
                tg.rlimits().set(r.resource(), r.soft(), r.hard());
            }
            Task task = new Task(kernel, tg, tg.pid(), new Credentials(spec.uid(), spec.gid(), spec.additionalGids()));
            InitProcess.setUp(task, spec, terminal);
            InitProcess.Executable exe = InitProcess.resolve(task, spec);
            vfs.procfs().processes().put(task, exe.absolutePath(), spec.argv());
            CountDownLatch released = new CountDownLatch(1);
            Thread thread = load(task, platform, mf, exe, spec.argv(), spec.env(), released);
            return new Sandbox(gofer, mf, platform, kernel, tg, thread, released, terminal);
        } catch (RuntimeException | Error e) {
            if (terminal != null) {
                terminal.close();
            }
            if (platform != null) {
                platform.close();
            }
            if (mf != null) {
                mf.close();
            }
            gofer.close();
            throw e;
        }
    }

    /** The emulated terminal over the host pty slave at fd 0 ({@link SandboxSpec#terminal}). */
    private static Terminal openTerminal() {
        try {
            return Terminal.open(0);
        } catch (ErrnoException e) {
            throw new SandboxException("the terminal (stdin): " + e.errno().description(), 1);
        }
    }

    /** The sandbox's emulated terminal, or null when stdio is passed through. */
    public Terminal terminal() {
        return terminal;
    }

    private static List<SandboxSpec.Mount> mounts(SandboxSpec spec) {
        return spec.mounts() == null ? List.of() : spec.mounts();
    }

    /** The gofer's mounts after the root: the spec's binds in order, so bind i is gofer mount i + 1. */
    private static List<GoferLauncher.Bind> binds(SandboxSpec spec) {
        List<GoferLauncher.Bind> out = new java.util.ArrayList<>();
        for (SandboxSpec.Mount m : mounts(spec)) {
            if (m.isBind()) {
                out.add(new GoferLauncher.Bind(m.source(), m.readonly()));
            }
        }
        return out;
    }

    /** Mounts the spec's filesystems; a mount that cannot be made stops the start-up, naming it. */
    private static void mount(VirtualFilesystem vfs, SandboxSpec spec, GoferClient client) {
        int bind = 0;
        for (SandboxSpec.Mount m : mounts(spec)) {
            int flags = (m.readonly() ? dev.jvisor.sentry.vfs.Mount.MS_RDONLY : 0)
                    | (m.nosuid() ? dev.jvisor.sentry.vfs.Mount.MS_NOSUID : 0)
                    | (m.nodev() ? dev.jvisor.sentry.vfs.Mount.MS_NODEV : 0)
                    | (m.noexec() ? dev.jvisor.sentry.vfs.Mount.MS_NOEXEC : 0);
            try {
                // Without an overlay the root is read-only: the destination must exist.
                if (m.isBind()) {
                    bind++;
                    GoferFilesystem fs = GoferFilesystem.bind(client, bind, m.readonly());
                    vfs.mountAtPath(m.destination(), fs, flags, m.source(), spec.overlay());
                } else if (m.type().equals("tmpfs")) {
                    vfs.mountAtPath(m.destination(), new TmpfsFilesystem(), flags, "tmpfs", spec.overlay());
                } else {
                    throw new SandboxException("mount at " + m.destination() + ": type " + m.type()
                            + " is not supported", 1);
                }
            } catch (ErrnoException e) {
                throw new SandboxException("cannot mount " + (m.isBind() ? m.source() : m.type()) + " at "
                        + m.destination() + ": " + e.errno().description(), 1);
            }
        }
    }

    private static GoferClient goferClient(GoferProcess gofer, SandboxSpec spec) {
        try {
            return gofer.client();
        } catch (GoferException e) {
            throw new SandboxException("the gofer serving " + spec.rootPath() + " failed: " + e.getMessage(), 1);
        }
    }

    /** Lets the loaded init process run ({@code runc start}); a second call does nothing. */
    public void start() {
        released.countDown();
    }

    /** The host PID of the gofer serving this sandbox's files. */
    public int goferPid() {
        return gofer.pid();
    }

    /**
     * Creates the task's stub and address space and loads {@code exe} on a new thread, the task's, which then
     * waits for {@code released} and runs the task. Returns once loaded; throws as {@link #run} does.
     */
    private static Thread load(Task task, Platform platform, MemoryFile mf, InitProcess.Executable exe,
                               List<String> argv, List<String> env, CountDownLatch released) {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("task-" + task.tid()).start(() -> {
            try {
                // The address space and context are created on this thread: it is their tracer.
                task.context(platform.newContext());
                task.mm(new MemoryManager(mf, platform.newAddressSpace()));
                ElfLoader.load(task, exe.file(), exe.path(), argv, env);
            } catch (RuntimeException | Error e) {
                exe.file().decRef();
                loaded.completeExceptionally(e);
                // The ordinary exit path: the loop ends at once and TaskExit gives back the stub thread, the
                // address space and the fds on this thread, their tracer.
                task.threadGroup().beginExit(Signals.SIGKILL);
                task.run();
                return;
            }
            exe.file().decRef();
            loaded.complete(null);
            try {
                released.await();
            } catch (InterruptedException e) {
                task.threadGroup().beginExit(Signals.SIGKILL);
            }
            task.run(); // returns at once when a kill came before start
        });
        try {
            loaded.get(LOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // Never seen outside one loaded CI run; leave evidence instead of hanging the caller forever.
            Log.warn("init not loaded after " + LOAD_TIMEOUT_SECONDS + " s; threads:\n" + threadDump());
            throw new SandboxException("timed out loading " + exe.displayName(), 1);
        } catch (ExecutionException e) {
            try {
                thread.join();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            if (e.getCause() instanceof LoadException le) {
                // As a shell reports it: a missing file (here, the ELF interpreter) is 127, anything else 126.
                int status = le.errno() == dev.jvisor.abi.Errno.ENOENT ? 127 : 126;
                throw new SandboxException(exe.displayName() + ": " + le.getMessage(), status);
            }
            throw new SandboxException("cannot start " + exe.displayName() + ": " + e.getCause(), 126);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while starting the sandbox", 1);
        }
        return thread;
    }

    /** How long creating the init's stub and loading its executable may take. */
    private static final long LOAD_TIMEOUT_SECONDS = 60;

    private static String threadDump() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((th, st) -> {
            sb.append(th.getName()).append(" ").append(th.getState()).append('\n');
            for (StackTraceElement el : st) {
                sb.append("    at ").append(el).append('\n');
            }
        });
        return sb.toString();
    }

    private static PlatformProvider provider(String name) {
        StringBuilder known = new StringBuilder();
        for (PlatformProvider p : ServiceLoader.load(PlatformProvider.class)) {
            if (p.name().equals(name) || p.aliases().contains(name)) {
                if (!p.available()) {
                    throw new SandboxException("platform " + name + " is not available: " + p.unavailableReason(), 1);
                }
                return p;
            }
            known.append(known.isEmpty() ? "" : ", ").append(p.name());
        }
        throw new SandboxException("unknown platform " + name + " (available: " + known + ")", 1);
    }

    /**
     * Sends {@code sig} to the init process, as {@code kill} from outside the sandbox would: queued like any
     * kill(2), with si_pid 0 (a sender outside the sandbox's PID namespace), so a handler runs if init has one.
     */
    public void kill(int sig) {
        Log.debug("signal " + Signals.name(sig) + " for init");
        if (sig < 1 || sig > Signals.NSIG) {
            return;
        }
        SignalDelivery.sendToProcess(kernel, init, SignalInfo.fromProcess(sig, SigInfo.SI_USER, 0, 0));
        // An init that was created but never started has no handlers yet: a signal whose default action ends
        // it must end it now, so let its task go on into the delivery that kills it. Other signals stay
        // pending until start.
        SignalDelivery.Default d = SignalDelivery.defaultAction(sig);
        if (sig == Signals.SIGKILL || d == SignalDelivery.Default.TERM || d == SignalDelivery.Default.CORE) {
            released.countDown();
        }
    }

    /**
     * Starts a process in the running sandbox ({@code jrunsc exec}): a new process, not a child of any process
     * inside (getppid() is 0), in a session of its own, with init's resource limits, {@code spec}'s working
     * directory, credentials and stdio. Returns once it runs.
     *
     * @throws SandboxException when it cannot start: the sandbox is stopping, the PID limit is reached, a
     *     missing binary (exit status 127), one that cannot run (126)
     */
    public ExecedProcess exec(ExecSpec spec) {
        if (init.exiting()) {
            closeAll(spec.stdio());
            throw new SandboxException("the container is not running", 1);
        }
        int pid = kernel.allocatePid();
        if (pid < 0) {
            closeAll(spec.stdio());
            throw new SandboxException("cannot start another process: the container's PID limit is reached", 1);
        }
        ThreadGroup tg = ThreadGroup.newInit(kernel.pids(), pid);
        for (int r = 0; r < dev.jvisor.sentry.kernel.Rlimits.NLIMITS; r++) {
            tg.rlimits().set(r, init.rlimits().soft(r), init.rlimits().hard(r));
        }
        for (SandboxSpec.Rlimit r : spec.rlimits()) {
            tg.rlimits().set(r.resource(), r.soft(), r.hard());
        }
        Task task = new Task(kernel, tg, pid, new Credentials(spec.uid(), spec.gid(), spec.additionalGids()));
        ExecTerminal tty = null;
        InitProcess.Executable exe;
        try {
            if (spec.terminal()) {
                tty = openExecTerminal(spec);
                InitProcess.setUp(task, spec.cwd(), spec.umask(), tty.terminal(), tty.index());
            } else {
                InitProcess.setUp(task, spec.cwd(), spec.umask(), spec.stdio());
            }
            exe = InitProcess.resolve(task, spec.argv(), spec.env());
        } catch (RuntimeException e) {
            discard(task);
            if (tty != null) {
                tty.release();
            }
            throw e;
        }
        kernel.vfs().procfs().processes().put(task, exe.absolutePath(), spec.argv());
        try {
            load(task, platform, memoryFile, exe, spec.argv(), spec.env(), new CountDownLatch(0));
        } catch (RuntimeException e) {
            TaskExit.reapOutsideChild(kernel, tg); // load ended the task
            if (tty != null) {
                tty.release();
            }
            throw e;
        }
        Log.debug("exec: pid " + pid + " runs " + spec.argv() + (tty != null ? " on /dev/pts/" + tty.index() : ""));
        return new ExecedProcess(kernel, tg, tty == null ? null : tty::release);
    }

    /** An exec'd process's terminal: the emulated {@link Terminal} and its /dev/pts number. */
    private record ExecTerminal(VirtualFilesystem vfs, Terminal terminal, int index) {
        /** The process is gone: the terminal hangs up, its host slave is closed and /dev/pts/N goes. */
        void release() {
            terminal.release();
            vfs.devfs().removePts(index, terminal);
        }
    }

    /** The terminal over the host pty slave at {@code spec.stdio()[0]}, as the next /dev/pts/N. */
    private ExecTerminal openExecTerminal(ExecSpec spec) {
        int[] stdio = spec.stdio();
        for (int i = 1; i < stdio.length; i++) { // only the slave counts; the terminal owns it from here
            if (stdio[i] >= 0 && stdio[i] != stdio[0]) {
                dev.jvisor.abi.Host.close(stdio[i]);
            }
        }
        if (stdio.length == 0 || stdio[0] < 0) {
            throw new SandboxException("exec: a terminal needs the pty slave as fd 0", 1);
        }
        Terminal t;
        try {
            t = Terminal.open(stdio[0]);
        } catch (ErrnoException e) {
            dev.jvisor.abi.Host.close(stdio[0]);
            throw new SandboxException("exec: the terminal: " + e.errno().description(), 1);
        }
        int index = kernel.vfs().devfs().addPts(t, spec.uid(), spec.gid());
        return new ExecTerminal(kernel.vfs(), t, index);
    }

    /** Ends a task that never ran (its fds and fs context go with it) and reaps its process. */
    private void discard(Task task) {
        task.threadGroup().beginExit(Signals.SIGKILL);
        Thread t = Thread.ofPlatform().name("task-" + task.tid()).start(task::run);
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TaskExit.reapOutsideChild(kernel, task.threadGroup());
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                dev.jvisor.abi.Host.close(fd);
            }
        }
    }

    /**
     * One process as {@code ps} shows it.
     *
     * @param startNanos when it started ({@link System#nanoTime()})
     * @param cpuNanos the CPU time it has used, user plus system (not its children's), as ps's TIME
     */
    public record ProcessInfo(int pid, int ppid, int uid, long startNanos, List<String> argv, String comm,
                              long cpuNanos) {}

    /** The sandbox's live processes, by PID. */
    public List<ProcessInfo> processes() {
        List<ProcessInfo> l = new java.util.ArrayList<>();
        for (ThreadGroup g : kernel.pids().liveGroups()) {
            var p = kernel.vfs().procfs().processes().find(g.pid());
            Task leader = p != null ? p.leader() : g.anyTask();
            if (leader == null) {
                continue;
            }
            l.add(new ProcessInfo(g.pid(), g.ppid(), leader.creds().uid, p != null ? p.startNanos() : 0,
                    p != null ? p.argv() : List.of(), leader.comm(),
                    g.cpu().userNanos() + g.cpu().sysNanos()));
        }
        l.sort(java.util.Comparator.comparingInt(ProcessInfo::pid));
        return l;
    }

    /**
     * Sends {@code sig} to every process of the sandbox ({@code kill --all}), init included, each as
     * {@link #kill} sends it to init.
     */
    public void killAll(int sig) {
        Log.debug("signal " + Signals.name(sig) + " for every process");
        if (sig < 1 || sig > Signals.NSIG) {
            return;
        }
        for (ThreadGroup g : kernel.threadGroups()) {
            if (g != init) {
                SignalDelivery.sendToProcess(kernel, g, SignalInfo.fromProcess(sig, SigInfo.SI_USER, 0, 0));
            }
        }
        kill(sig);
    }

    /**
     * Freezes every task ({@code jrunsc pause}): no workload code runs until {@link #resume}; blocked syscalls
     * stay blocked, timers run on, and SIGKILL still ends the sandbox.
     */
    public void pause() {
        kernel.freezer().freeze();
    }

    /** Lets the frozen tasks run again ({@code jrunsc resume}). */
    public void resume() {
        kernel.freezer().thaw();
    }

    /** Whether the sandbox is paused. */
    public boolean paused() {
        return kernel.freezer().frozen();
    }

    /** The sandbox's resource usage now. */
    public SandboxStats stats() {
        long[] cpu = kernel.pids().cpuTotals();
        return new SandboxStats(cpu[0], cpu[1], memoryFile.allocated(), memoryFile.limit(),
                kernel.pids().liveTasks(), kernel.pids().maxTasks());
    }

    /**
     * Changes the limits the sentry enforces, live ({@code jrunsc update}): {@code maxTasks} (0 or less: the
     * default cap) and {@code memoryBytes} (0: the host's RAM); null leaves one as it is. Lowering a cap below
     * the current use fails for memory (nothing can be reclaimed) and, for tasks, only stops new forks, as a pids
     * cgroup does.
     *
     * @throws SandboxException when the memory limit is below the memory in use
     */
    public void updateLimits(Integer maxTasks, Long memoryBytes) {
        if (memoryBytes != null) {
            long bytes = memoryBytes > 0 ? memoryBytes : defaultMemoryLimit();
            if (!memoryFile.limit(bytes)) {
                throw new SandboxException("memory limit " + bytes + " is below the memory in use ("
                        + memoryFile.allocated() + " bytes)", 1);
            }
        }
        if (maxTasks != null) {
            kernel.pids().maxTasks(maxTasks > 0 ? maxTasks : dev.jvisor.sentry.kernel.PidNamespace.DEFAULT_MAX_TASKS);
        }
        Log.debug("limits now: tasks " + kernel.pids().maxTasks() + ", memory " + memoryFile.limit());
    }

    /** Waits for init to exit and returns its status as a shell reports it. */
    public int waitExit() {
        try {
            int status = init.awaitExit();
            initThread.join();
            return shellStatus(status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 128 + Signals.SIGKILL;
        }
    }

    /** A wait(2) status as a shell's $?: the exit code, or 128 + the terminating signal. */
    static int shellStatus(int waitStatus) {
        int sig = waitStatus & 0x7f;
        return sig != 0 ? 128 + sig : (waitStatus >> 8) & 0xff;
    }

    @Override
    public void close() {
        if (terminal != null) {
            terminal.close();
        }
        platform.close();
        memoryFile.close();
        gofer.close();
    }
}
