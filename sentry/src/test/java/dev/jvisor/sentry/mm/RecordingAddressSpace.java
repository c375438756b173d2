package dev.jvisor.sentry.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jvisor.sentry.platform.AddressSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fake platform address space for tests: it records every call and keeps its own view of what is mapped where,
 * so a test can check that the host side mirrors the manager's VMAs.
 */
public final class RecordingAddressSpace implements AddressSpace {
    /** One mapped range as the platform would hold it. */
    public record Range(long start, long end, int prot, long fileOffset) {}

    public final List<String> calls = new ArrayList<>();

    /** The protection the host has at {@code addr}, or -1 if nothing is mapped there. */
    public int protAt(long addr) {
        Map.Entry<Long, Range> e = ranges.floorEntry(addr);
        return e == null || e.getValue().end <= addr ? -1 : e.getValue().prot;
    }
    private final TreeMap<Long, Range> ranges = new TreeMap<>();
    private final long maxUserAddress;
    public boolean released;

    public RecordingAddressSpace(long maxUserAddress) {
        this.maxUserAddress = maxUserAddress;
    }

    public RecordingAddressSpace() {
        this(0x7fff_ffff_0000L);
    }

    @Override
    public int map(long addr, long len, int prot, long fileOffset) {
        check(addr, len);
        calls.add(String.format("map %x %x %d %x", addr, len, prot, fileOffset));
        cut(addr, addr + len);
        ranges.put(addr, new Range(addr, addr + len, prot, fileOffset));
        return 0;
    }

    @Override
    public int unmap(long addr, long len) {
        check(addr, len);
        calls.add(String.format("unmap %x %x", addr, len));
        cut(addr, addr + len);
        return 0;
    }

    @Override
    public int protect(long addr, long len, int prot) {
        check(addr, len);
        calls.add(String.format("protect %x %x %d", addr, len, prot));
        split(addr);
        split(addr + len);
        for (Map.Entry<Long, Range> e : ranges.subMap(addr, true, addr + len, false).entrySet()) {
            Range r = e.getValue();
            e.setValue(new Range(r.start, r.end, prot, r.fileOffset));
        }
        return 0;
    }

    @Override
    public long maxUserAddress() {
        return maxUserAddress;
    }

    @Override
    public void release() {
        released = true;
    }

    /** Asserts the platform view equals the manager's VMAs: same pages, protections and memory-file offsets. */
    public void assertMirrors(MemoryManager mm) {
        long vmaBytes = 0;
        for (Vma v : mm.vmas()) {
            if (v.beyondEof()) {
                assertEquals(null, ranges.floorEntry(v.start()) != null
                        && ranges.floorEntry(v.start()).getValue().end > v.start() ? v : null,
                        "pages past a file's end are not mapped");
                continue;
            }
            vmaBytes += v.length();
            long a = v.start();
            while (a < v.end()) {
                Map.Entry<Long, Range> e = ranges.floorEntry(a);
                assertNotNull(e, "no host mapping at " + Long.toHexString(a) + " for " + v);
                Range r = e.getValue();
                assertEquals(true, r.end > a, "no host mapping at " + Long.toHexString(a) + " for " + v);
                // Copy-on-write pages lack PROT_WRITE in the host until written (or no longer shared).
                assertEquals(true, r.prot == v.prot() || r.prot == v.hostProt(),
                        "prot " + r.prot + " at " + Long.toHexString(a) + " for " + v);
                assertEquals(v.backingOf(a), r.fileOffset + (a - r.start), "offset at " + Long.toHexString(a));
                a = Math.min(r.end, v.end());
            }
        }
        long hostBytes = 0;
        for (Range r : ranges.values()) {
            hostBytes += r.end - r.start;
        }
        assertEquals(vmaBytes, hostBytes, "host maps pages no VMA covers");
    }

    private void check(long addr, long len) {
        if ((addr & 0xfff) != 0 || (len & 0xfff) != 0 || len <= 0 || addr + len > maxUserAddress) {
            throw new AssertionError(String.format("bad address-space call %x+%x", addr, len));
        }
    }

    private void split(long at) {
        Map.Entry<Long, Range> e = ranges.lowerEntry(at);
        if (e != null && e.getValue().end > at) {
            Range r = e.getValue();
            ranges.put(r.start, new Range(r.start, at, r.prot, r.fileOffset));
            ranges.put(at, new Range(at, r.end, r.prot, r.fileOffset + (at - r.start)));
        }
    }

    private void cut(long start, long end) {
        split(start);
        split(end);
        ranges.subMap(start, true, end, false).clear();
    }
}
