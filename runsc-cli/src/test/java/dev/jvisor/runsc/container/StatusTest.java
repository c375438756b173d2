package dev.jvisor.runsc.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lifecycle's state machine, as runc's libcontainer enforces it. */
class StatusTest {
    @Test
    void aCreatedContainerStartsOrIsKilled() {
        assertEquals(Status.RUNNING, Status.CREATED.moveTo(Status.RUNNING, "c"));
        assertEquals(Status.STOPPED, Status.CREATED.moveTo(Status.STOPPED, "c"));
        assertFalse(Status.CREATED.canMoveTo(Status.PAUSED), "only a running container can be paused");
    }

    @Test
    void startingTwiceIsAnError() {
        IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                () -> Status.RUNNING.moveTo(Status.RUNNING, "c1"));
        assertEquals(Status.RUNNING, e.from());
        assertEquals(Status.RUNNING, e.to());
        assertEquals("cannot start container c1: it is running, not created", e.getMessage());
    }

    @Test
    void aStoppedContainerGoesNowhere() {
        for (Status s : Status.values()) {
            assertFalse(Status.STOPPED.canMoveTo(s), "stopped -> " + s);
        }
        assertEquals("cannot start container c: it is stopped, not created",
                assertThrows(IllegalTransitionException.class, () -> Status.STOPPED.moveTo(Status.RUNNING, "c"))
                        .getMessage());
    }

    @Test
    void pauseAndResumeOnlyFromRunning() {
        assertTrue(Status.RUNNING.canMoveTo(Status.PAUSED));
        assertTrue(Status.PAUSED.canMoveTo(Status.RUNNING));
        assertTrue(Status.PAUSED.canMoveTo(Status.STOPPED));
        assertFalse(Status.PAUSED.canMoveTo(Status.CREATED));
        assertFalse(Status.RUNNING.canMoveTo(Status.CREATED));
    }

    @Test
    void ociNamesAreLowerCase() {
        assertEquals("created", Status.CREATED.ociName());
        assertEquals(Status.PAUSED, Status.of("paused"));
    }
}
