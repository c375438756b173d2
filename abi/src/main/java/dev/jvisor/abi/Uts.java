package dev.jvisor.abi;

/** {@code struct utsname} (uname(2)): six NUL-padded fields of 65 bytes. */
public final class Uts {
    private Uts() {}

    public static final int FIELD_LEN = 65;
    public static final int SIZE = 6 * FIELD_LEN;
    public static final int SYSNAME = 0, NODENAME = 65, RELEASE = 130, VERSION = 195, MACHINE = 260,
            DOMAINNAME = 325;
}
