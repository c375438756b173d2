package dev.jvisor.platform.ptrace;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.abi.Host;
import dev.jvisor.abi.Log;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps each task thread and the stub threads it drives on one CPU (chosen round-robin over the online CPUs,
 * once per task thread): on this machine class a sleep/wake round trip on one CPU costs a fifth of one that
 * wakes the other CPU.
 */
public final class CpuPinning {
    private final int[] cpus = onlineCpus();
    private final AtomicInteger next = new AtomicInteger();
    /** Each task thread's CPU, chosen when it first drives a stub thread. */
    private final ThreadLocal<int[]> threadCpu = new ThreadLocal<>();

    /** Pins stub thread {@code tid} to the calling thread's CPU, choosing and pinning that first if need be. */
    public void pin(int tid) {
        int cpu = cpuOfCurrentThread();
        setAffinity(tid, cpu);
    }

    /** The calling thread's CPU, chosen and pinned on first use. */
    public int cpuOfCurrentThread() {
        int[] cpu = threadCpu.get();
        if (cpu == null) {
            cpu = new int[] {cpus[Math.floorMod(next.getAndIncrement(), cpus.length)]};
            threadCpu.set(cpu);
            setAffinity(0, cpu[0]);
        }
        return cpu[0];
    }

    /** Pins stub thread {@code tid} to a CPU other than the calling thread's (if there is one). */
    public void pinElsewhere(int tid) {
        int cpu = cpuOfCurrentThread();
        int i = 0;
        while (i < cpus.length && cpus[i] != cpu) {
            i++;
        }
        setAffinity(tid, cpus[(i + 1) % cpus.length]);
    }

    /** How many CPUs are online. */
    public int count() {
        return cpus.length;
    }

    private static void setAffinity(int tid, int cpu) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mask = a.allocate(128, 8);
            mask.set(JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int r = Host.schedSetaffinity(tid, mask);
            if (r < 0) {
                Log.debug("platform: sched_setaffinity(" + tid + ", cpu " + cpu + ") failed: " + r);
            }
        }
    }

    /**
     * The online CPUs (from sysfs, not the calling thread's affinity, which an earlier pin may have narrowed).
     * Falls back to CPU 0 alone.
     */
    private static int[] onlineCpus() {
        List<Integer> list = new ArrayList<>();
        try {
            String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
            for (String part : online.split(",")) {
                String[] ends = part.split("-");
                int lo = Integer.parseInt(ends[0].trim());
                int hi = ends.length > 1 ? Integer.parseInt(ends[1].trim()) : lo;
                for (int c = lo; c <= hi && c < 1024; c++) {
                    list.add(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.debug("platform: cannot read the online CPUs (" + e + "); pinning everything to CPU 0");
        }
        if (list.isEmpty()) {
            list.add(0);
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
