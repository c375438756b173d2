package dev.jvisor.runsc;

import dev.jvisor.sentry.boot.SandboxSpec;

/**
 * Runs a sandbox to completion in this JVM and returns its init process's exit status. Production uses
 * {@code Sandbox::run}; tests substitute one that records the spec.
 */
@FunctionalInterface
public interface SandboxLauncher {
    /** @throws dev.jvisor.sentry.boot.SandboxException when the sandbox cannot start */
    int run(SandboxSpec spec);

    /**
     * Like {@link #run(SandboxSpec)}, with the container registered under the state root while it runs
     * ({@code run}); launchers that boot no real sandbox (tests) register nothing.
     */
    default int run(SandboxSpec spec, RunRegistration registration) {
        return run(spec);
    }
}
