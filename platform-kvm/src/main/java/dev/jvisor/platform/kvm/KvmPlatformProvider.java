package dev.jvisor.platform.kvm;

import dev.jvisor.sentry.platform.Platform;
import dev.jvisor.sentry.platform.PlatformProvider;

/** Registers the kvm platform's name; the platform itself is not built yet (see README.md), so it is never available. */
public final class KvmPlatformProvider implements PlatformProvider {
    @Override
    public String name() {
        return "kvm";
    }

    @Override
    public boolean available() {
        return false;
    }

    @Override
    public String unavailableReason() {
        return "the kvm platform is not implemented yet (see platform-kvm/README.md)";
    }

    @Override
    public Platform create(int memoryFileFd) {
        throw new UnsupportedOperationException(unavailableReason());
    }
}
