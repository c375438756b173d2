package dev.jvisor.runsc.container;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A container's OCI status and the moves between them, like runc's libcontainer: created → running → stopped,
 * created → stopped (killed or deleted before start), running ⇄ paused (with the multi-process kernel). Every
 * other move is an {@link IllegalTransitionException}.
 */
public enum Status {
    CREATED, RUNNING, PAUSED, STOPPED;

    /** The name the OCI state uses: "created", "running", "paused", "stopped". */
    @JsonValue
    public String ociName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Status of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Whether a container in this status may move to {@code next}. */
    public boolean canMoveTo(Status next) {
        return switch (this) {
            case CREATED -> next == RUNNING || next == STOPPED;
            case RUNNING -> next == PAUSED || next == STOPPED;
            case PAUSED -> next == RUNNING || next == STOPPED;
            case STOPPED -> false;
        };
    }

    /** Returns {@code next}, or throws when this status cannot move there. */
    public Status moveTo(Status next, String id) {
        if (!canMoveTo(next)) {
            throw new IllegalTransitionException(id, this, next);
        }
        return next;
    }
}
