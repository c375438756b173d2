package dev.jvisor.platform.ptrace;

import dev.jvisor.platform.systrap.SystrapPlatform;
import dev.jvisor.sentry.platform.AddressSpace;

/**
 * A sentry stand-in for {@link StubLifetimeTest}: starts a platform (ptrace, or systrap when the first argument
 * says so) with one address space, prints
 * "stubs TEMPLATE STUB", then waits to be killed.
 */
public final class StubReporter {
    private StubReporter() {}

    public static void main(String[] args) throws InterruptedException {
        MemoryFileFixture file = new MemoryFileFixture("jvisor-reporter");
        boolean systrap = args.length > 0 && args[0].equals("systrap");
        int template;
        int stub;
        if (systrap) {
            SystrapPlatform platform = SystrapPlatform.create(file.fd);
            AddressSpace as = platform.newAddressSpace();
            template = platform.templatePid();
            stub = SystrapPlatform.stubPid(as);
        } else {
            PtracePlatform platform = PtracePlatform.create(file.fd);
            AddressSpace as = platform.newAddressSpace();
            template = platform.templatePid();
            stub = PtracePlatform.stubPid(as);
        }
        System.out.println("stubs " + template + " " + stub);
        System.out.flush();
        Thread.sleep(60_000); // the tracer thread (this one) stays alive: only the SIGKILL ends the stubs
        System.exit(3);
    }
}
