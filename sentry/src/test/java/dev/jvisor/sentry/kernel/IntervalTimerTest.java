package dev.jvisor.sentry.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Expirations counted from the clock, as timerfd_settime(2) and timer_settime(2) describe. */
class IntervalTimerTest {
    @Test
    void aPeriodicTimerCountsEveryPeriodThatPassed() throws Exception {
        IntervalTimer t = new IntervalTimer((tm, n) -> { });
        t.set(10_000_000, 10_000_000);
        Thread.sleep(55);
        long n = t.take();
        assertTrue(n >= 5 && n <= 7, "expirations after 55 ms of a 10 ms timer: " + n);
        assertTrue(t.take() <= 1, "taken: at most a period that ended in between remains");
        t.cancel();
    }

    @Test
    void aOneShotTimerExpiresOnceAndTellsItsListener() throws Exception {
        CountDownLatch told = new CountDownLatch(1);
        AtomicLong count = new AtomicLong();
        IntervalTimer t = new IntervalTimer((tm, n) -> {
            count.addAndGet(n);
            told.countDown();
        });
        t.set(5_000_000, 0);
        assertTrue(told.await(5, TimeUnit.SECONDS));
        assertEquals(1, count.get());
        assertEquals(1, t.take());
        long[] now = t.get();
        assertEquals(0, now[0], "disarmed after its one expiry");
    }

    @Test
    void settingReturnsTheOldSettingAndDisarming() {
        IntervalTimer t = new IntervalTimer((tm, n) -> { });
        assertEquals(0, t.set(1_000_000_000L, 5)[0]);
        long[] old = t.set(0, 0);
        assertTrue(old[0] > 900_000_000L && old[0] <= 1_000_000_000L);
        assertEquals(5, old[1]);
        assertEquals(0, t.get()[0]);
    }
}
