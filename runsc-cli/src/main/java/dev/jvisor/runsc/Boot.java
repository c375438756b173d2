package dev.jvisor.runsc;

import dev.jvisor.abi.Log;
import dev.jvisor.runsc.container.Container;
import dev.jvisor.runsc.container.ContainerException;
import dev.jvisor.runsc.container.SandboxProcess;
import dev.jvisor.runsc.control.ControlServer;
import dev.jvisor.runsc.control.ExecProcess;
import dev.jvisor.runsc.control.ProcessEntry;
import dev.jvisor.runsc.oci.Bundle;
import dev.jvisor.runsc.oci.BundleConfigException;
import dev.jvisor.sentry.boot.ExecSpec;
import dev.jvisor.sentry.boot.ExecedProcess;
import dev.jvisor.sentry.boot.Sandbox;
import dev.jvisor.sentry.boot.SandboxException;
import dev.jvisor.sentry.boot.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code jrunsc boot --bundle B ID}: the sandbox process that {@code create} starts, detached. It becomes the
 * sentry: boots the sandbox up to a loaded init, serves the control socket, reports ready on fd 3, runs the init
 * when {@code start} asks, and exits with the init's exit status, which the caller's subreaper (containerd's
 * shim) reaps. Its stdout and stderr are the workload's: every failure goes to fd 3 and the debug log. Hidden:
 * users never run it.
 */
@Command(name = "boot", hidden = true, description = "Run a created sandbox (internal; started by create).")
final class Boot extends BaseCommand {
    @Mixin
    BundleOption bundle;

    @Parameters(paramLabel = "ID", description = "The container's ID.")
    String id;

    @Override
    protected String logRole() {
        return "sentry";
    }

    @Override
    protected int execute() {
        Sandbox sandbox;
        ControlServer control;
        Path dir = globals().rootPath().resolve(id);
        try {
            globals().requireRunnable();
            Bundle b = Bundle.load(bundle.dir());
            sandbox = Sandbox.create(Run.spec(b, id, globals()).withTerminal(b.config().process().terminal()));
        } catch (BundleConfigException | CliException | ContainerException e) {
            return failed(e.getMessage(), FAILURE);
        } catch (SandboxException e) {
            return failed(e.getMessage(), e.exitStatus());
        } catch (RuntimeException e) {
            Log.warn("sandbox start-up failed", e);
            return failed("sandbox start-up failed: " + e, FAILURE);
        }
        Path socket = Container.controlSocket(dir);
        try {
            if (!socket.startsWith(dir)) {
                Container.prepareSocketDir(socket);
            }
            control = ControlServer.listen(socket, new SandboxControl(sandbox));
        } catch (IOException | RuntimeException e) {
            sandbox.kill(dev.jvisor.abi.Signals.SIGKILL);
            sandbox.waitExit();
            sandbox.close();
            return failed("control socket " + socket + ": " + e.getMessage(), FAILURE);
        }
        if (!SandboxProcess.report(new SandboxProcess.Ready(true, null, null, sandbox.goferPid()))) {
            // create died before hearing from us: no state names this sandbox, so nothing could ever stop it.
            Log.warn("create is gone; the sandbox exits");
            sandbox.kill(dev.jvisor.abi.Signals.SIGKILL);
            sandbox.waitExit();
            control.close();
            sandbox.close();
            return FAILURE;
        }
        // SIGTERM and SIGINT sent to the sandbox process go to the container, as runc's init would get them.
        ForegroundSignals signals = ForegroundSignals.install(sandbox::kill);
        ConsoleSignals console = ConsoleSignals.install(sandbox.terminal());
        int status;
        try {
            status = sandbox.waitExit();
        } finally {
            console.close();
            signals.close();
        }
        Log.debug("init exited with status " + status);
        try {
            Container.writeAtomically(dir.resolve(Container.EXIT),
                    Integer.toString(status).getBytes(StandardCharsets.US_ASCII));
        } catch (ContainerException e) {
            Log.warn("cannot record the exit status: " + e.getMessage()); // deleted meanwhile
        }
        control.exited(status);
        control.close();
        sandbox.close();
        return status;
    }

    private static int failed(String msg, int status) {
        Log.info("create failed: " + msg);
        SandboxProcess.report(new SandboxProcess.Ready(false, msg, status, null));
        return status;
    }
}
