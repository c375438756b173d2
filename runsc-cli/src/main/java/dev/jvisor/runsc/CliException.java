package dev.jvisor.runsc;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/** A command failed for a reason the user can act on: a one-line message and the exit status to return. */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    public CliException(String message) {
        this(message, BaseCommand.FAILURE);
    }

    public CliException(String message, int exitStatus) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    /** A short reason for a failed file operation, without Java's exception names. */
    static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "no such file or directory";
            case AccessDeniedException x -> "permission denied";
            case FileAlreadyExistsException x -> "file exists";
            default -> e.getMessage();
        };
    }

    public int exitStatus() {
        return exitStatus;
    }
}
