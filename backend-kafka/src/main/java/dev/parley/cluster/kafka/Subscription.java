package dev.parley.cluster.kafka;

import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code subscribe}: a consumer of its own that reads every partition of the topic from where it ended at
 * subscription, on one thread that calls the handler for one event at a time.
 */
final class Subscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    /** How long without a connection before the bus says so (a broker restart takes a few seconds). */
    private static final long OUTAGE_WARNING_NANOS = Duration.ofSeconds(5).toNanos();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Consumer<byte[]> handler;
    private final Consumer<Subscription> onClose;
    private final Thread thread;
    private final LogThrottle handlerWarnings = new LogThrottle(Duration.ofSeconds(10));
    private final LogThrottle pollWarnings = new LogThrottle(Duration.ofSeconds(10));
    private final String servers;
    private final Duration retryWindow;
    private long handlerFailures;
    /** The consumer's own count of open broker connections: 0 while the brokers are unreachable. */
    private Metric connections;
    private long disconnectedSince;
    private boolean outageReported;
    private volatile boolean closed;

    /**
     * Assigns every partition and looks up its end before returning, so that every event published afterwards is
     * delivered and none before.
     *
     * @throws StorageException (unavailable) when the brokers do not answer within {@code timeout}
     */
    Subscription(KafkaClusterBusConfig config, String clientId, Consumer<byte[]> handler,
                 Consumer<Subscription> onClose) {
        this.handler = handler;
        this.onClose = onClose;
        this.servers = config.bootstrapServers();
        this.retryWindow = config.deliveryTimeout();
        this.consumer = new KafkaConsumer<>(config.consumerProperties(clientId));
        try {
            List<TopicPartition> partitions = partitions(config.topic(), config.timeout());
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (TopicPartition p : partitions) {
                consumer.position(p, config.timeout()); // the lookup itself: seekToEnd alone is lazy
            }
        } catch (KafkaException | StorageException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            if (e instanceof StorageException s) {
                throw s;
            }
            throw new StorageException(ErrorCode.UNAVAILABLE, "bus: cannot start reading topic " + config.topic()
                + " at " + config.bootstrapServers() + ": " + e, e);
        }
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
        thread.start();
    }

    /** The topic's partitions; right after the topic was created, the brokers may take a moment to know them. */
    private List<TopicPartition> partitions(String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new StorageException(ErrorCode.UNAVAILABLE, "bus: topic " + topic + " has no partitions "
                    + "after " + timeout.toMillis() + " ms (expected: the topic exists)", null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
    }

    private void run() {
        connections = consumer.metrics().entrySet().stream()
            .filter(e -> e.getKey().name().equals("connection-count") && e.getKey().group().equals("consumer-metrics"))
            .map(Map.Entry::getValue).findFirst().orElse(null);
        try {
            while (!closed) {
                watchConnection();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException | InterruptException e) {
                    continue; // close() woke us: the loop condition decides
                } catch (KafkaException e) {
                    // e.g. authorization: the consumer keeps its positions; try again after a pause
                    if (pollWarnings.due()) {
                        log.warn("cluster bus: reading from Kafka failed; trying again", e);
                    }
                    pause();
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (closed) {
                        return;
                    }
                    deliver(r.value());
                }
            }
        } finally {
            try {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
            } catch (KafkaException e) {
                log.debug("closing a bus consumer failed", e);
            }
        }
    }

    /**
     * Reports an outage once after a few seconds and the recovery once, instead of the Kafka clients' warning per
     * attempt to reconnect (which the README suggests silencing).
     */
    private void watchConnection() {
        if (connections == null || !(connections.metricValue() instanceof Number n)) {
            return;
        }
        long now = System.nanoTime();
        if (n.doubleValue() > 0) {
            if (outageReported) {
                log.info("cluster bus: connected to Kafka at {} again after {} s", servers,
                    TimeUnit.NANOSECONDS.toSeconds(now - disconnectedSince));
            }
            disconnectedSince = 0;
            outageReported = false;
        } else if (disconnectedSince == 0) {
            disconnectedSince = now;
        } else if (!outageReported && now - disconnectedSince > OUTAGE_WARNING_NANOS) {
            outageReported = true;
            log.warn("cluster bus: no connection to Kafka at {} for {} s; events to and from other nodes wait, and "
                + "are retried for {} s after they were published", servers,
                TimeUnit.NANOSECONDS.toSeconds(now - disconnectedSince), retryWindow.toSeconds());
        }
    }

    private void deliver(byte[] event) {
        try {
            handler.accept(event == null ? new byte[0] : event);
        } catch (RuntimeException e) {
            // one bad event must not end the node's delivery
            handlerFailures++;
            if (handlerWarnings.due()) {
                log.warn("cluster bus handler failed ({} failures so far); the event is skipped", handlerFailures, e);
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** No handler call starts after this returns (one already running finishes); the consumer closes behind it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        onClose.accept(this);
    }

    /** Waits until the thread ended and its consumer closed, at most until {@code deadlineNanos}. */
    void awaitEnd(long deadlineNanos) throws InterruptedException {
        if (Thread.currentThread() != thread) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        }
    }
}
