package dev.jvisor.sentry.platform;

/**
 * Registers a platform implementation with the sentry through {@link java.util.ServiceLoader}, so the sentry
 * module needs no compile-time dependency on platform modules (they depend on it).
 */
public interface PlatformProvider {
    /** runsc's name for the platform ("ptrace", "systrap", "kvm"). */
    String name();

    /** Other names accepted for it ("seccomp" for systrap). */
    default java.util.List<String> aliases() {
        return java.util.List.of();
    }

    /** Whether this host can run the platform; when false, {@link #unavailableReason()} says why. */
    boolean available();

    String unavailableReason();

    /** Creates the platform over the sentry's memory file (a memfd, which must exist before any stub). */
    Platform create(int memoryFileFd);
}
