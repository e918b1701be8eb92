package dev.parley.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, removal of gone channels, the bound, and the counts, with a transport that answers from a script. */
class PushDispatcherTest {
    private static final PushRegistration TO = new PushRegistration(1, 2, PushKind.FCM, "token", null, null, null, 0);
    private static final PushNotification N = new PushNotification(1, 2, 3, 4, null, "Alice", 1, null);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<PushRegistration> removed = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    /** Answers each call with the next scripted outcome (then Delivered), recording when it was called. */
    private static final class Scripted implements PushTransport {
        final Deque<Object> script = new ArrayDeque<>();
        final List<Long> calls = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<PushOutcome>> pending = new ArrayList<>();
        boolean hold;

        @Override
        public PushKind kind() {
            return PushKind.FCM;
        }

        @Override
        public synchronized CompletableFuture<PushOutcome> deliver(PushRegistration to, PushNotification n) {
            calls.add(System.nanoTime());
            if (hold) {
                CompletableFuture<PushOutcome> f = new CompletableFuture<>();
                pending.add(f);
                return f;
            }
            Object next = script.isEmpty() ? PushOutcome.DELIVERED : script.poll();
            return next instanceof RuntimeException e ? CompletableFuture.failedFuture(e)
                : CompletableFuture.completedFuture((PushOutcome) next);
        }
    }

    private PushDispatcher dispatcher(Scripted t, int capacity, int attempts) {
        return new PushDispatcher(Map.of(PushKind.FCM, t), removed::add, timers, Runnable::run,
            new PushConfig(Duration.ofSeconds(5), capacity, attempts, Duration.ofMillis(40), false, null),
            new SimpleMeterRegistry());
    }

    @Test
    void transientFailuresAreRetriedWithGrowingDelaysUntilDelivered() {
        Scripted t = new Scripted();
        t.script.add(new PushOutcome.Retry(null, "503"));
        t.script.add(new IllegalStateException("connection reset"));
        t.script.add(new PushOutcome.Retry(Duration.ofMillis(300), "429"));
        PushDispatcher d = dispatcher(t, 10, 5);

        d.submit(TO, N);

        await().atMost(Duration.ofSeconds(5)).until(() -> d.counted(PushKind.FCM, PushDispatcher.Outcome.SENT) == 1);
        assertThat(t.calls).hasSize(4);
        assertThat(d.counted(PushKind.FCM, PushDispatcher.Outcome.RETRIED)).isEqualTo(3);
        long lastGapMs = (t.calls.get(3) - t.calls.get(2)) / 1_000_000;
        assertThat(lastGapMs).as("Retry-After respected").isGreaterThanOrEqualTo(290);
        assertThat(d.pending()).isZero();
    }

    @Test
    void givesUpAfterMaxAttempts() {
        Scripted t = new Scripted();
        for (int i = 0; i < 10; i++) {
            t.script.add(new PushOutcome.Retry(null, "503"));
        }
        PushDispatcher d = dispatcher(t, 10, 3);

        d.submit(TO, N);

        await().atMost(Duration.ofSeconds(5)).until(() -> d.counted(PushKind.FCM, PushDispatcher.Outcome.FAILED) == 1);
        assertThat(t.calls).hasSize(3);
        assertThat(d.pending()).isZero();
    }

    @Test
    void aGoneChannelIsRemovedAndAPermanentFailureIsNot() {
        Scripted t = new Scripted();
        t.script.add(new PushOutcome.Gone("410"));
        t.script.add(new PushOutcome.Failed("400 payload"));
        PushDispatcher d = dispatcher(t, 10, 5);

        d.submit(TO, N);
        d.submit(TO, N);

        assertThat(removed).containsExactly(TO);
        assertThat(d.counted(PushKind.FCM, PushDispatcher.Outcome.REMOVED)).isEqualTo(1);
        assertThat(d.counted(PushKind.FCM, PushDispatcher.Outcome.FAILED)).isEqualTo(1);
        assertThat(t.calls).hasSize(2);
    }

    @Test
    void whenFullNewNotificationsAreDroppedNotQueuedWithoutBound() {
        Scripted t = new Scripted();
        t.hold = true;
        PushDispatcher d = dispatcher(t, 3, 5);

        for (int i = 0; i < 5; i++) {
            d.submit(TO, N);
        }

        assertThat(d.pending()).isEqualTo(3);
        assertThat(d.counted(PushKind.FCM, PushDispatcher.Outcome.DROPPED)).isEqualTo(2);
        t.pending.forEach(f -> f.complete(PushOutcome.DELIVERED));
        assertThat(d.pending()).isZero();
        assertThat(d.submit(TO, N)).isTrue();
    }

    @Test
    void backoffGrowsWithJitterAndIsCapped() {
        PushDispatcher d = dispatcher(new Scripted(), 1, 5);
        for (int attempt = 1; attempt <= 5; attempt++) {
            long base = 40L << (attempt - 1);
            assertThat(d.delayMillis(attempt, null)).isBetween(base / 2, base);
        }
        assertThat(d.delayMillis(40, null)).isEqualTo(Duration.ofMinutes(5).toMillis());
    }
}
