package dev.jvisor.runsc;

import dev.jvisor.sentry.boot.Sandbox;
import dev.jvisor.sentry.boot.SandboxSpec;

/**
 * The production {@link SandboxLauncher} and {@link SignalForwarder} in one: it runs a sandbox in this JVM and
 * sends the signals the foreground command catches to that sandbox's init.
 */
final class ForegroundSandbox implements SandboxLauncher, SignalForwarder {
    private volatile Sandbox current;

    @Override
    public int run(SandboxSpec spec) {
        try (Sandbox s = Sandbox.start(spec)) {
            current = s;
            return s.waitExit();
        } finally {
            current = null;
        }
    }

    @Override
    public int run(SandboxSpec spec, RunRegistration reg) {
        reg.claim();
        try {
            try (Sandbox s = Sandbox.create(spec)) {
                current = s;
                reg.created(new SandboxControl(s), s.goferPid());
                s.start();
                reg.running();
                int status = s.waitExit();
                reg.exited(status);
                return status;
            } finally {
                current = null;
            }
        } finally {
            reg.close();
        }
    }

    @Override
    public void forward(int signo) {
        Sandbox s = current;
        if (s != null) {
            s.kill(signo);
        }
    }
}
