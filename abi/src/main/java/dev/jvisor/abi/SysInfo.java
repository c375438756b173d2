package dev.jvisor.abi;

/** x86-64 {@code struct sysinfo} (sysinfo(2)): 112 bytes. Offsets in bytes. */
public final class SysInfo {
    private SysInfo() {}

    public static final int SIZE = 112;
    public static final int UPTIME = 0, LOADS = 8, TOTALRAM = 32, FREERAM = 40, SHAREDRAM = 48, BUFFERRAM = 56,
            TOTALSWAP = 64, FREESWAP = 72, PROCS = 80, TOTALHIGH = 88, FREEHIGH = 96, MEM_UNIT = 104;
}
