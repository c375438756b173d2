package dev.jvisor.sentry.boot;

/**
 * Boots a sandbox in this JVM, which becomes the sentry: memory file, platform, gofer, filesystem, init task.
 * SKELETON: the lead wires it once the pieces exist.
 */
public final class Sandbox {
    private Sandbox() {}

    /**
     * Runs the sandbox to completion and returns the init process's exit status as a shell reports it: its exit
     * code, or 128 + the signal that killed it.
     *
     * @throws SandboxException for a failure to start (missing binary: exit 127; not executable or not a
     *     supported ELF: 126), with a one-line message
     */
    public static int run(SandboxSpec spec) {
        throw new UnsupportedOperationException("boot: not yet implemented");
    }
}
