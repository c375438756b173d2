package dev.jvisor.platform.ptrace;

import dev.jvisor.sentry.platform.AddressSpace;

/**
 * A sentry stand-in for {@link StubLifetimeTest}: starts a platform with one address space, prints
 * "stubs TEMPLATE STUB", then waits to be killed.
 */
public final class StubReporter {
    private StubReporter() {}

    public static void main(String[] args) throws InterruptedException {
        MemoryFileFixture file = new MemoryFileFixture("jvisor-reporter");
        PtracePlatform platform = PtracePlatform.create(file.fd);
        AddressSpace as = platform.newAddressSpace();
        System.out.println("stubs " + platform.templatePid() + " " + PtracePlatform.stubPid(as));
        System.out.flush();
        Thread.sleep(60_000); // the tracer thread (this one) stays alive: only the SIGKILL ends the stubs
        System.exit(3);
    }
}
