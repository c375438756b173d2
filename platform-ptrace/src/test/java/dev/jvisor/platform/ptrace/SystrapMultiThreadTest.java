package dev.jvisor.platform.ptrace;

import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Platform;

/** Every multi-threaded specification of {@link MultiThreadTest}, on the systrap platform. */
class SystrapMultiThreadTest extends MultiThreadTest {
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
    boolean traced() {
        return false;
    }
}
