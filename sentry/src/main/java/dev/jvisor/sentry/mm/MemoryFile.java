package dev.jvisor.sentry.mm;

/**
 * The memfd that backs all workload memory, sized once (sparsely) to its maximum and mapped whole into the
 * sentry. SKELETON: the owner of package mm implements it.
 */
public final class MemoryFile implements AutoCloseable {
    /** The memfd, for platforms to map into stubs. */
    public int fd() { throw new UnsupportedOperationException(); }

    /** Maximum bytes of workload memory (the memfd's size). */
    public long capacity() { throw new UnsupportedOperationException(); }

    /** Bytes currently allocated to workload memory. */
    public long allocated() { throw new UnsupportedOperationException(); }

    @Override
    public void close() {}
}
