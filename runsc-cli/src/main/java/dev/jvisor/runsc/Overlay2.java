package dev.jvisor.runsc;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * runsc's --overlay2 MOUNTS:MEDIUM. {@code root:memory} puts an upper layer in sandbox memory over the root
 * (writes never reach the host), {@code none} writes through the gofer. Only the root mount exists today, so
 * {@code all:memory} means the same as {@code root:memory}.
 *
 * @param mounts "root", "all", or "none"
 */
public record Overlay2(String mounts) {
    public static final Overlay2 NONE = new Overlay2("none");

    /** Whether the root gets an in-memory upper layer. */
    public boolean rootInMemory() {
        return !mounts.equals("none");
    }

    @Override
    public String toString() {
        return rootInMemory() ? mounts + ":memory" : "none";
    }

    static final class Converter implements ITypeConverter<Overlay2> {
        @Override
        public Overlay2 convert(String value) {
            if (value.equals("none")) {
                return NONE;
            }
            int colon = value.indexOf(':');
            String mounts = colon < 0 ? "" : value.substring(0, colon);
            if (!mounts.equals("root") && !mounts.equals("all")) {
                throw new TypeConversionException("expected root:memory, all:memory or none, not '" + value + "'");
            }
            String medium = value.substring(colon + 1);
            if (!medium.equals("memory")) {
                throw new TypeConversionException("overlay medium '" + medium + "' is not available yet (use "
                        + mounts + ":memory or none)");
            }
            return new Overlay2(mounts);
        }
    }
}
