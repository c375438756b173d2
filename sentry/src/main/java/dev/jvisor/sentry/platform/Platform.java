package dev.jvisor.sentry.platform;

/**
 * A way to run workload code: it executes user-mode instructions in an {@link AddressSpace} until the workload
 * makes a syscall or faults, and hands that event to the sentry. Implementations: ptrace and seccomp-trap
 * (module platform-ptrace), kvm (module platform-kvm).
 */
public interface Platform extends AutoCloseable {
    /** runsc's name for this platform ("ptrace", "systrap", "kvm"). */
    String name();

    /**
     * Creates an empty address space. Its mappings all come from the sentry's memory file.
     *
     * <p>Preconditions: called on the thread that will run contexts in it (the task thread), since a ptrace
     * stub can only be driven by its tracer thread.
     */
    AddressSpace newAddressSpace();

    /** Creates a context: the per-thread state needed to run user code. Called on the thread that will use it. */
    Context newContext();

    /** Releases every stub and resource; afterwards no host process of this platform remains. */
    @Override
    void close();
}
