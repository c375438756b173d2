package dev.jvisor.sentry.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.sentry.kernel.Rlimits;
import org.junit.jupiter.api.Test;

/** /proc/meminfo, /proc/stat, /proc/loadavg, /proc/[pid]/limits and /proc/cpuinfo in Linux's layouts. */
class ProcSystemFilesTest {
    @Test
    void meminfoShowsTheTotalAndWhatIsNotAllocatedInKilobytesInTheKernelsColumns() {
        String text = ProcSystemFiles.meminfo(8L << 30, 1L << 30);
        String[] lines = text.split("\n");
        assertEquals("MemTotal:        8388608 kB", lines[0]);
        assertEquals("MemFree:         7340032 kB", lines[1]);
        assertEquals("MemAvailable:    7340032 kB", lines[2]);
        assertTrue(text.contains("\nActive(anon):          0 kB\n"), text);
        assertTrue(text.contains("\nSwapTotal:             0 kB\n"), text);
    }

    @Test
    void meminfoNeverShowsNegativeFreeMemory() {
        assertTrue(ProcSystemFiles.meminfo(4096, 8192).contains("MemFree:               0 kB\n"));
    }

    @Test
    void statHasTheMachineLineOneLinePerCpuAndBtime() {
        String text = ProcSystemFiles.stat(2, 1_700_000_000L);
        assertTrue(text.startsWith("cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n"),
                text);
        assertTrue(text.contains("\nbtime 1700000000\n"), text);
        assertEquals(-1, text.indexOf("cpu2"));
    }

    @Test
    void loadavgHasThreeAveragesRunnableOverTotalAndTheLastPid() {
        assertEquals("0.00 0.00 0.00 1/5 42\n", ProcSystemFiles.loadavg(5, 42));
    }

    @Test
    void limitsHasTheKernelsHeaderAndOneRowPerResource() {
        Rlimits r = new Rlimits();
        r.set(Rlimits.NOFILE, 1024, 4096);
        r.set(Rlimits.CPU, Rlimits.INFINITY, Rlimits.INFINITY);
        r.set(Rlimits.NICE, 0, 0);
        String[] lines = ProcSystemFiles.limits(r).split("\n");
        assertEquals(1 + Rlimits.NLIMITS, lines.length);
        assertEquals("Limit                     Soft Limit           Hard Limit           Units     ", lines[0]);
        assertEquals("Max cpu time              unlimited            unlimited            seconds   ", lines[1]);
        assertEquals("Max open files            1024                 4096                 files     ", lines[8]);
        assertEquals("Max nice priority         0                    0                    ", lines[14]);
    }

    @Test
    void cpuinfoKeepsEachProcessorEntryAndCountsThem() {
        HostCpuInfo c = HostCpuInfo.parse("processor\t: 0\nvendor_id\t: X\n\nprocessor\t: 1\nvendor_id\t: X\n\n", 7);
        assertEquals(2, c.count());
        assertEquals("processor\t: 0\nvendor_id\t: X\n\nprocessor\t: 1\nvendor_id\t: X\n\n", c.text());
    }

    @Test
    void cpuinfoWithoutEntriesFallsBackToBareProcessorLines() {
        HostCpuInfo c = HostCpuInfo.parse("", 3);
        assertEquals(3, c.count());
        assertEquals("processor\t: 0\n\nprocessor\t: 1\n\nprocessor\t: 2\n\n", c.text());
    }
}
