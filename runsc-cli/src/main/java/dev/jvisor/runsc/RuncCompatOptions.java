package dev.jvisor.runsc;

import picocli.CommandLine.Option;

/**
 * runc's {@code --no-pivot} and {@code --no-new-keyring}, which containerd may pass to create and run (and some
 * callers pass globally). A sandbox has no use for them: accepted, and logged as ignored.
 */
final class RuncCompatOptions {
    @Option(names = "--no-pivot", arity = "0..1", paramLabel = "BOOL",
            description = "Ignored (runc compatibility).")
    boolean noPivot;

    @Option(names = "--no-new-keyring", arity = "0..1", paramLabel = "BOOL",
            description = "Ignored (runc compatibility).")
    boolean noNewKeyring;

    void logIgnored() {
        GlobalOptions.ignored(noPivot, "--no-pivot", "the sentry serves the root through the gofer, not pivot_root");
        GlobalOptions.ignored(noNewKeyring, "--no-new-keyring", "the sentry has no session keyrings");
    }
}
