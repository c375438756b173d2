package dev.jvisor.sentry.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extra references to memory-file ranges that back VMAs of several address spaces: MAP_SHARED mappings (which
 * survive fork as the same pages in parent and child) and copy-on-write private memory after fork. A range with
 * no entry here has exactly one owner, as package-info describes; a range with {@code n} extra references is
 * freed only by its {@code n+1}-th release.
 *
 * <p>Guarded by this. Lock order: a manager's lock, then this, then the memory file's.
 */
final class SharedPages {
    /** Extents by start: {@code [start, end)} with {@code refs} extra references, never overlapping. */
    private record Extent(long end, int refs) {}

    private final TreeMap<Long, Extent> extents = new TreeMap<>();

    /** Adds one reference to every page of {@code [off, off+len)}. */
    synchronized void retain(long off, long len) {
        long end = off + len;
        split(off);
        split(end);
        long cur = off;
        // Fill the holes with refs=1 and bump the existing extents.
        for (Map.Entry<Long, Extent> e : new ArrayList<>(extents.subMap(off, true, end, false).entrySet())) {
            if (e.getKey() > cur) {
                extents.put(cur, new Extent(e.getKey(), 1));
            }
            extents.put(e.getKey(), new Extent(e.getValue().end, e.getValue().refs + 1));
            cur = e.getValue().end;
        }
        if (cur < end) {
            extents.put(cur, new Extent(end, 1));
        }
    }

    /**
     * Drops one reference to every page of {@code [off, off+len)} and returns the pieces that had none left
     * (as start, length pairs): the caller frees those.
     */
    synchronized long[] release(long off, long len) {
        long end = off + len;
        if (extents.isEmpty() || !overlaps(off, end)) {
            return new long[] {off, len};
        }
        split(off);
        split(end);
        List<Long> free = new ArrayList<>();
        long cur = off;
        for (Map.Entry<Long, Extent> e : new ArrayList<>(extents.subMap(off, true, end, false).entrySet())) {
            if (e.getKey() > cur) {
                free.add(cur);
                free.add(e.getKey() - cur);
            }
            Extent x = e.getValue();
            if (x.refs == 1) {
                extents.remove(e.getKey());
            } else {
                extents.put(e.getKey(), new Extent(x.end, x.refs - 1));
            }
            cur = x.end;
        }
        if (cur < end) {
            free.add(cur);
            free.add(end - cur);
        }
        long[] out = new long[free.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = free.get(i);
        }
        return out;
    }

    /** Whether any page of {@code [off, off+len)} has extra references (tests). */
    synchronized boolean isShared(long off, long len) {
        return overlaps(off, off + len);
    }

    private boolean overlaps(long start, long end) {
        Map.Entry<Long, Extent> e = extents.lowerEntry(end);
        return e != null && e.getValue().end > start;
    }

    /** Splits the extent strictly containing {@code at}, if any. */
    private void split(long at) {
        Map.Entry<Long, Extent> e = extents.lowerEntry(at);
        if (e != null && e.getValue().end > at) {
            extents.put(e.getKey(), new Extent(at, e.getValue().refs));
            extents.put(at, new Extent(e.getValue().end, e.getValue().refs));
        }
    }
}
