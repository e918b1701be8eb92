package dev.parley.cluster.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Lets a repeated warning through at most once per interval, so that an outage does not flood the log. */
final class LogThrottle {
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(System.nanoTime());

    LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** Whether to log now; {@code true} for the first call, then once per interval. */
    boolean due() {
        long now = System.nanoTime();
        long at = next.get();
        return now - at >= 0 && next.compareAndSet(at, now + intervalNanos);
    }
}
