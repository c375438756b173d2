package dev.jvisor.runsc;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** runsc's --network: the sandbox's own stack, the host's, or none. */
public enum NetworkMode {
    SANDBOX, HOST, NONE;

    static final class Converter implements ITypeConverter<NetworkMode> {
        @Override
        public NetworkMode convert(String value) {
            return switch (value) {
                case "sandbox" -> SANDBOX;
                case "host" -> HOST;
                case "none" -> NONE;
                default -> throw new TypeConversionException("expected sandbox, host or none, not '" + value + "'");
            };
        }
    }
}
