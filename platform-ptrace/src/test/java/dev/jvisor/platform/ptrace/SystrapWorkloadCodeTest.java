package dev.jvisor.platform.ptrace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.abi.Mman;
import dev.jvisor.abi.Signals;
import dev.jvisor.abi.UserRegs;
import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.platform.AddressSpace;
import dev.jvisor.sentry.platform.Event;
import dev.jvisor.sentry.platform.Platform;
import org.junit.jupiter.api.Test;

/** Every workload-code specification of {@link WorkloadCodeTest} on the systrap platform, and its fault error code. */
class SystrapWorkloadCodeTest extends WorkloadCodeTest {
    @Override
    Platform newPlatform(int memoryFileFd) {
        return SystrapPlatform.create(memoryFileFd);
    }

    @Override
    int stubPid(AddressSpace as) {
        return SystrapPlatform.stubPid(as);
    }

    @Test
    void aSegvCarriesThePageFaultErrorCodeWithTheWriteBit() {
        // A store to a read-only page: SEGV_ACCERR, error code with "write" (bit 1) and "user" (bit 2).
        assertEquals(0, as.protect(DATA, 0x1000, Mman.PROT_READ));
        startAt(STORE_YMM);
        regs.set(UserRegs.RDI, DATA);
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs));
        assertEquals(Signals.SIGSEGV, ctx.fault().signo);
        assertEquals(2 /* SEGV_ACCERR */, ctx.fault().code);
        assertEquals(DATA, ctx.fault().addr);
        assertEquals(6, ctx.fault().errorCode & 6, "write, user mode: 0x" + Long.toHexString(ctx.fault().errorCode));
        // A load from an unmapped page: no write bit.
        startAt(LOAD);
        regs.set(UserRegs.RDI, 0x600000);
        assertEquals(Event.FAULT, ctx.switchToUser(as, regs));
        assertEquals(Signals.SIGSEGV, ctx.fault().signo);
        assertEquals(4, ctx.fault().errorCode & 6, "read, user mode: 0x" + Long.toHexString(ctx.fault().errorCode));
    }
}
