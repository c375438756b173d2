package dev.jvisor.platform.ptrace;

import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Platform;

/** Every workload-code specification of {@link WorkloadCodeTest}, on the systrap platform. */
class SystrapWorkloadCodeTest extends WorkloadCodeTest {
    @Override
    Platform newPlatform(int memoryFileFd) {
        return SystrapPlatform.create(memoryFileFd);
    }

    @Override
    int stubPid(AddressSpace as) {
        return SystrapPlatform.stubPid(as);
    }
}
