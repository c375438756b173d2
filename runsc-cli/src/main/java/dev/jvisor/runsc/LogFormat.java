package dev.jvisor.runsc;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The format of the --log file, as runc's --log-format. */
public enum LogFormat {
    TEXT, JSON;

    static final class Converter implements ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            return switch (value) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new TypeConversionException("expected text or json, not '" + value + "'");
            };
        }
    }
}
