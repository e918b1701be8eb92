package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdGeneratorTest {
    /** A clock the test moves by hand, also backwards. */
    private static final class ManualClock extends Clock {
        final AtomicLong ms = new AtomicLong(Instant.parse("2026-11-23T10:00:00Z").toEpochMilli());

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(ms.get());
        }
    }

    @Test
    void idsGrowCarryTheTimeAndStayUniqueEvenWhenTheClockStepsBackOrAMillisecondOverflows() {
        ManualClock clock = new ManualClock();
        IdGenerator gen = new IdGenerator(7, clock);
        long first = gen.next();
        assertThat(first).isPositive();
        assertThat(IdGenerator.timestampOf(first)).isEqualTo(clock.ms.get());
        assertThat((first >>> IdGenerator.SEQUENCE_BITS) & IdGenerator.MAX_NODE_ID).isEqualTo(7);

        Set<Long> seen = new HashSet<>();
        long prev = first;
        seen.add(first);
        for (int i = 0; i < 10_000; i++) { // more than 4096 in one ms: borrows the next ms
            long id = gen.next();
            assertThat(id).isGreaterThan(prev);
            assertThat(seen.add(id)).isTrue();
            prev = id;
        }
        clock.ms.addAndGet(-60_000); // the clock steps back a minute
        assertThat(gen.next()).isGreaterThan(prev);
    }

    @Test
    void nodeIdsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new IdGenerator(1024, Clock.systemUTC())).hasMessageContaining("0..1023");
        assertThatThrownBy(() -> new IdGenerator(-1, Clock.systemUTC())).hasMessageContaining("nodeId");
    }
}
