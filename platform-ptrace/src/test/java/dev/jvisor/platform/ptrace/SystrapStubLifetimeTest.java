package dev.jvisor.platform.ptrace;

import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Platform;

/** {@link StubLifetimeTest} on the systrap platform: no stub outlives the sentry or the platform. */
class SystrapStubLifetimeTest extends StubLifetimeTest {
    @Override
    String platformName() {
        return "systrap";
    }

    @Override
    Platform newPlatform(int memoryFileFd) {
        return SystrapPlatform.create(memoryFileFd);
    }

    @Override
    int stubPid(AddressSpace as) {
        return SystrapPlatform.stubPid(as);
    }

    @Override
    int stubTid(AddressSpace as) {
        return SystrapPlatform.stubTid(as);
    }

    @Override
    int templatePid(Platform p) {
        return ((SystrapPlatform) p).templatePid();
    }
}
