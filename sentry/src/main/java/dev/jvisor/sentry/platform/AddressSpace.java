package dev.jvisor.sentry.platform;

/**
 * The host-side view of one workload address space: which ranges of the memory file appear where, with which
 * protections. The sentry's {@code MemoryManager} is the source of truth; this only mirrors it.
 *
 * <p>All addresses and lengths are page aligned. Preconditions for every method: called on the thread that runs
 * contexts in this address space.
 */
public interface AddressSpace {
    /** Maps {@code [addr, addr+len)} to memory-file offset {@code fileOffset} with {@code prot}, replacing any
     *  mapping there. Returns 0 or {@code -errno}. */
    int map(long addr, long len, int prot, long fileOffset);

    /** Removes any mapping in {@code [addr, addr+len)}. Returns 0 or {@code -errno}. */
    int unmap(long addr, long len);

    /** Changes the protection of mapped pages in {@code [addr, addr+len)}. Returns 0 or {@code -errno}. */
    int protect(long addr, long len, int prot);

    /** The highest address (exclusive) workload mappings may use; the platform's own pages live above it. */
    long maxUserAddress();

    /**
     * The host CPU time, in nanoseconds, spent so far running code in this address space (all its threads, the
     * workload's user time), or -1 when the platform cannot tell. One cheap host call; from any thread, until
     * {@link #release()}.
     */
    default long cpuTimeNanos() {
        return -1;
    }

    /** Destroys the address space and its host process, if any. */
    void release();
}
