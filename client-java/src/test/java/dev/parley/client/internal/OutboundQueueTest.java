package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    private final OutboundQueue queue = new OutboundQueue();

    @Test
    void neverRunsTwoWritesAtOnceAndKeepsOrderPerSubmitter() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        ExecutorService completer = Executors.newFixedThreadPool(4);
        ExecutorService submitters = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Void>> all = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(8);
        for (int t = 0; t < 8; t++) {
            int thread = t;
            submitters.execute(() -> {
                for (int i = 0; i < 500; i++) {
                    String item = thread + ":" + i;
                    all.add(queue.submit(() -> {
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        written.add(item);
                        // Some writes complete at once, some later on another thread, like a socket.
                        if (item.hashCode() % 3 == 0) {
                            inFlight.decrementAndGet();
                            return CompletableFuture.completedFuture(null);
                        }
                        return CompletableFuture.runAsync(inFlight::decrementAndGet, completer);
                    }));
                }
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(maxInFlight.get()).isEqualTo(1);
        assertThat(written).hasSize(4000);
        for (int t = 0; t < 8; t++) {
            String prefix = t + ":";
            assertThat(written.stream().filter(s -> s.startsWith(prefix)).map(s -> Integer.parseInt(s.substring(2))))
                .isSorted();
        }
        completer.shutdownNow();
        submitters.shutdownNow();
    }

    @Test
    void longQueueOfInstantWritesDoesNotRecurse() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        queue.submit(() -> gate);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            all.add(queue.submit(() -> CompletableFuture.completedFuture(null)));
        }
        assertThat(queue.queued()).isEqualTo(200_000);
        gate.complete(null);
        assertThat(all).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }

    @Test
    void aFailedWriteFailsOnlyItselfAndNullSkips() {
        CompletableFuture<Void> bad =
            queue.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("x")));
        CompletableFuture<Void> thrown = queue.submit(() -> {
            throw new IllegalArgumentException("y");
        });
        CompletableFuture<Void> skipped = queue.submit(() -> null);
        assertThatThrownBy(bad::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(thrown::join).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(skipped).isCompleted();
    }

    @Test
    void failDropsQueuedWritesAndRejectsLaterOnes() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger ran = new AtomicInteger();
        queue.submit(() -> gate);
        CompletableFuture<Void> queued = queue.submit(() -> {
            ran.incrementAndGet();
            return null;
        });
        queue.fail(new IllegalStateException("closed"));
        gate.complete(null);
        assertThatThrownBy(queued::join).hasMessageContaining("closed");
        assertThatThrownBy(queue.submit(() -> null)::join).hasMessageContaining("closed");
        assertThat(ran).hasValue(0);
    }
}
