package dev.parley.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands notifications to the transport of their kind, asynchronously and bounded: at most
 * {@link PushConfig#queueCapacity()} are in flight or waiting for a retry at once, more are dropped (and counted)
 * rather than slowing anyone down. Transient failures retry with exponential backoff and jitter (or after the
 * service's {@code Retry-After}); a channel that is gone is removed; every outcome is counted in
 * {@code parley_push_total{kind, outcome}}.
 */
public final class PushDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);
    private static final Duration MAX_DELAY = Duration.ofMinutes(5);

    /** The outcomes counted. */
    public enum Outcome {
        SENT, RETRIED, FAILED, DROPPED, REMOVED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<PushKind, PushTransport> transports;
    private final Consumer<PushRegistration> onGone;
    private final ScheduledExecutorService timers;
    private final Executor blocking;
    private final PushConfig config;
    private final Semaphore capacity;
    private final Map<PushKind, Map<Outcome, Counter>> counters = new EnumMap<>(PushKind.class);
    private volatile boolean closed;

    /**
     * @param transports one per kind; kinds without one are only logged
     * @param onGone     removes a registration the service called gone (runs on {@code blocking})
     * @param timers     schedules retries (its tasks must not block)
     * @param blocking   runs {@code onGone}
     */
    public PushDispatcher(Map<PushKind, PushTransport> transports, Consumer<PushRegistration> onGone,
                          ScheduledExecutorService timers, Executor blocking, PushConfig config,
                          MeterRegistry metrics) {
        this.transports = new EnumMap<>(PushKind.class);
        for (PushKind k : PushKind.values()) {
            this.transports.put(k, transports.containsKey(k) ? transports.get(k) : new LoggingPushTransport(k));
            Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                byOutcome.put(o, Counter.builder("parley.push").tag("kind", k.wireName()).tag("outcome", o.tag())
                    .description("push notifications by kind and outcome").register(metrics));
            }
            counters.put(k, byOutcome);
        }
        this.onGone = onGone;
        this.timers = timers;
        this.blocking = blocking;
        this.config = config;
        this.capacity = new Semaphore(config.queueCapacity());
    }

    /** Sends it in the background; false (and counted as dropped) when the queue is full or closed. */
    public boolean submit(PushRegistration to, PushNotification n) {
        if (closed || !capacity.tryAcquire()) {
            count(to.kind(), Outcome.DROPPED);
            return false;
        }
        attempt(to, n, 1);
        return true;
    }

    /** How many notifications are in flight or waiting for a retry. */
    public int pending() {
        return config.queueCapacity() - capacity.availablePermits();
    }

    /** How many notifications of this kind ended with this outcome so far. */
    public long counted(PushKind kind, Outcome outcome) {
        return (long) counters.get(kind).get(outcome).count();
    }

    private void attempt(PushRegistration to, PushNotification n, int attempt) {
        CompletableFuture<PushOutcome> result;
        try {
            result = transports.get(to.kind()).deliver(to, n);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((outcome, error) -> {
            if (error != null) {
                outcome = new PushOutcome.Retry(null, String.valueOf(error));
            }
            handle(to, n, attempt, outcome);
        });
    }

    private void handle(PushRegistration to, PushNotification n, int attempt, PushOutcome outcome) {
        switch (outcome) {
            case PushOutcome.Delivered d -> done(to, Outcome.SENT);
            case PushOutcome.Gone g -> {
                log.info("{} push channel of device {} is gone ({}); removing it", to.kind().wireName(),
                    to.deviceId(), g.reason());
                done(to, Outcome.REMOVED);
                blocking.execute(() -> {
                    try {
                        onGone.accept(to);
                    } catch (RuntimeException e) {
                        log.warn("removing the push channel of device {} failed", to.deviceId(), e);
                    }
                });
            }
            case PushOutcome.Failed f -> {
                log.warn("{} push to device {} failed: {}", to.kind().wireName(), to.deviceId(), f.reason());
                done(to, Outcome.FAILED);
            }
            case PushOutcome.Retry r -> {
                if (closed || attempt >= config.maxAttempts()) {
                    log.warn("{} push to device {} failed after {} attempts: {}", to.kind().wireName(),
                        to.deviceId(), attempt, r.reason());
                    done(to, Outcome.FAILED);
                    return;
                }
                count(to.kind(), Outcome.RETRIED);
                long delay = delayMillis(attempt, r.after());
                try {
                    timers.schedule(() -> attempt(to, n, attempt + 1), delay, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    done(to, Outcome.FAILED); // shutting down
                }
            }
        }
    }

    /** Exponential backoff with full jitter, never below the service's Retry-After, capped. */
    long delayMillis(int attempt, Duration retryAfter) {
        long base = config.retryBase().toMillis() << Math.min(attempt - 1, 20);
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        long floor = retryAfter == null ? 0 : retryAfter.toMillis();
        return Math.min(Math.max(jittered, floor), MAX_DELAY.toMillis());
    }

    private void done(PushRegistration to, Outcome outcome) {
        count(to.kind(), outcome);
        capacity.release();
    }

    private void count(PushKind kind, Outcome outcome) {
        counters.get(kind).get(outcome).increment();
    }

    @Override
    public void close() {
        closed = true;
        for (PushTransport t : transports.values()) {
            try {
                t.close();
            } catch (RuntimeException e) {
                log.warn("closing the {} push transport failed", t.kind().wireName(), e);
            }
        }
    }
}
