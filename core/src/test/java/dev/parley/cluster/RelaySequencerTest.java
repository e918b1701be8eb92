package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RelaySequencerTest {
    private static final long CONV = 7;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<String> relayed = new CopyOnWriteArrayList<>();
    private final Map<Long, String> stored = new TreeMap<>();
    private final AtomicInteger storeFailures = new AtomicInteger();

    private RelaySequencer<String> sequencer(Duration gapWait) {
        return new RelaySequencer<>((conv, seq, item) -> relayed.add(conv + ":" + seq + ":" + item),
            (conv, after, count) -> {
                if (storeFailures.getAndDecrement() > 0) {
                    throw new IllegalStateException("store down");
                }
                Map<Long, String> page = new TreeMap<>();
                synchronized (stored) {
                    stored.forEach((seq, item) -> {
                        if (seq > after && page.size() < count) {
                            page.put(seq, item);
                        }
                    });
                }
                return page;
            }, gapWait, 1000, timers, Runnable::run);
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void relaysInOrderAndDropsRepeats() {
        RelaySequencer<String> s = sequencer(Duration.ofSeconds(10));
        s.offer(CONV, 5, "a");
        s.offer(CONV, 6, "b");
        s.offer(CONV, 6, "b again");
        s.offer(CONV, 4, "older");
        s.offer(CONV + 1, 1, "other conversation");

        assertThat(relayed).containsExactly("7:5:a", "7:6:b", "8:1:other conversation");
        assertThat(s.duplicates()).isEqualTo(2);
    }

    @Test
    void anEarlySeqWaitsForItsPredecessor() {
        RelaySequencer<String> s = sequencer(Duration.ofSeconds(10));
        s.offer(CONV, 1, "one");
        s.offer(CONV, 3, "three");
        s.offer(CONV, 4, "four");
        assertThat(relayed).containsExactly("7:1:one");

        s.offer(CONV, 2, "two");

        assertThat(relayed).containsExactly("7:1:one", "7:2:two", "7:3:three", "7:4:four");
        assertThat(s.gapReads()).isZero();
    }

    @Test
    void aGapTheBusNeverFillsIsReadFromTheStore() {
        RelaySequencer<String> s = sequencer(Duration.ofMillis(50));
        synchronized (stored) {
            stored.put(2L, "two (stored)");
            stored.put(3L, "three (stored)");
        }
        s.offer(CONV, 1, "one");
        s.offer(CONV, 4, "four");

        await().atMost(Duration.ofSeconds(5)).until(() -> relayed.size() == 4);
        assertThat(relayed).containsExactly("7:1:one", "7:2:two (stored)", "7:3:three (stored)", "7:4:four");
        assertThat(s.gapReads()).isEqualTo(2);
        s.offer(CONV, 3, "three, late from the bus");
        assertThat(relayed).hasSize(4);
    }

    @Test
    void aFailedStoreReadIsRetried() {
        storeFailures.set(2);
        RelaySequencer<String> s = sequencer(Duration.ofMillis(30));
        synchronized (stored) {
            stored.put(2L, "two (stored)");
        }
        s.offer(CONV, 1, "one");
        s.offer(CONV, 3, "three");

        await().atMost(Duration.ofSeconds(5)).until(() -> relayed.size() == 3);
        assertThat(relayed).containsExactly("7:1:one", "7:2:two (stored)", "7:3:three");
    }

    @Test
    void aHoleTheStoreDoesNotHaveEitherIsSkipped() {
        RelaySequencer<String> s = sequencer(Duration.ofMillis(30));
        s.offer(CONV, 1, "one");
        s.offer(CONV, 5, "five");

        await().atMost(Duration.ofSeconds(5)).until(() -> relayed.size() == 2);
        assertThat(relayed).containsExactly("7:1:one", "7:5:five");
        s.offer(CONV, 6, "six");
        assertThat(relayed).containsExactly("7:1:one", "7:5:five", "7:6:six");
    }
}
