package dev.jvisor.sentry.boot;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.Log;
import dev.jvisor.abi.SigInfo;
import dev.jvisor.abi.Signals;
import dev.jvisor.gofer.client.GoferClient;
import dev.jvisor.gofer.client.GoferException;
import dev.jvisor.gofer.client.GoferLauncher;
import dev.jvisor.gofer.client.GoferProcess;
import dev.jvisor.sentry.fs.tmpfs.TmpfsFilesystem;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SignalDelivery;
import dev.jvisor.sentry.kernel.SignalInfo;
import dev.jvisor.sentry.kernel.Task;
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
        GoferProcess gofer = GoferLauncher.spawn(goferCommand, spec.rootPath(),
                spec.rootReadonly() && !spec.overlay());
        MemoryFile mf = null;
        Platform platform = null;
        Terminal terminal = null;
        try {
            SandboxSpec.Limits limits = spec.limits() == null ? SandboxSpec.Limits.NONE : spec.limits();
            mf = new MemoryFile(MemoryFile.DEFAULT_SIZE,
                    limits.memoryBytes() > 0 ? limits.memoryBytes() : defaultMemoryLimit());
            platform = provider.create(mf.fd());
            // The gofer's JVM has been booting meanwhile; this is the first wait for it.
            VirtualFilesystem vfs = VirtualFilesystem.forSandbox(goferClient(gofer, spec), spec.overlay(),
                    spec.rootReadonly() && !spec.overlay());
            mount(vfs, spec);
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
            Thread thread = loadInit(task, platform, mf, exe, spec, released);
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

    /** Mounts the spec's filesystems; a mount that cannot be made stops the start-up, naming it. */
    private static void mount(VirtualFilesystem vfs, SandboxSpec spec) {
        for (SandboxSpec.Mount m : spec.mounts() == null ? List.<SandboxSpec.Mount>of() : spec.mounts()) {
            if (!m.type().equals("tmpfs")) {
                throw new SandboxException("mount at " + m.destination() + ": type " + m.type()
                        + " is not supported", 1);
            }
            try {
                // Without an overlay the root is read-only: the destination must exist.
                vfs.mountAtPath(m.destination(), new TmpfsFilesystem(), m.readonly(), "tmpfs", spec.overlay());
            } catch (ErrnoException e) {
                throw new SandboxException("cannot mount tmpfs at " + m.destination() + ": "
                        + e.errno().description(), 1);
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

    private static Thread loadInit(Task task, Platform platform, MemoryFile mf, InitProcess.Executable exe,
                                   SandboxSpec spec, CountDownLatch released) {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("task-" + task.tid()).start(() -> {
            try {
                // The address space and context are created on this thread: it is their tracer.
                task.context(platform.newContext());
                task.mm(new MemoryManager(mf, platform.newAddressSpace()));
                ElfLoader.load(task, exe.file(), exe.path(), spec.argv(), spec.env());
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
