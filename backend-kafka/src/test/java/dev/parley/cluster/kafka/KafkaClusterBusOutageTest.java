package dev.parley.cluster.kafka;

import static dev.parley.cluster.ClusterBusContract.numbered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.cluster.ClusterBusContract.Recorder;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import dev.parley.testkit.KafkaExtension;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broker goes away while nodes publish: nothing is lost within the retry window and publish never waits. */
@ExtendWith(KafkaExtension.class)
class KafkaClusterBusOutageTest {
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAndRestoreTheBroker() throws Exception {
        KafkaExtension.broker().start(); // for the next test, whatever happened
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void brokerRestartLosesNothingAndDeliveryResumesByItself() throws Exception {
        KafkaExtension.Broker broker = KafkaExtension.broker();
        KafkaClusterBusConfig config = KafkaClusterBusConfig.of(broker.bootstrapServers(), broker.newTopic());
        KafkaClusterBus a = node(config);
        KafkaClusterBus b = node(config);
        Recorder onA = subscribe(a);
        Recorder onB = subscribe(b);
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        int keys = 16;
        Thread publisher = Thread.ofPlatform().name("test-publisher").start(() -> {
            while (publishing.get()) {
                int i = published.get();
                a.publish(i % keys, numbered(0, i));
                published.incrementAndGet();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        Thread.sleep(1_000);
        long stopping = System.nanoTime();
        broker.stop();
        int atStop = published.get();
        System.out.printf("broker stopped in %d ms after %d events%n", millisSince(stopping), atStop);
        Thread.sleep(3_000);
        long starting = System.nanoTime();
        broker.start();
        int atStart = published.get();
        System.out.printf("broker started in %d ms; %d events published while it was down%n", millisSince(starting),
            atStart - atStop);
        await().atMost(DELIVERY).until(() -> onB.distinct().size() >= atStart);
        System.out.printf("the events of the outage arrived %d ms after the restart began%n",
            millisSince(starting));
        Thread.sleep(1_000);
        publishing.set(false);
        publisher.join();

        int total = published.get();
        for (Recorder r : List.of(onA, onB)) {
            await().atMost(DELIVERY).until(() -> r.distinct().size() >= total);
            assertThat(r.distinct()).hasSize(total);
            Map<Integer, List<Integer>> byKey = new TreeMap<>();
            for (byte[] e : r.distinct()) {
                int seq = ByteBuffer.wrap(e).getInt(4);
                byKey.computeIfAbsent(seq % keys, k -> new ArrayList<>()).add(seq);
            }
            byKey.forEach((k, seqs) -> assertThat(seqs).as("key %d", k).isSorted());
        }
        assertThat(a.lostEvents()).isZero();
        assertThat(a.droppedEvents()).isZero();
    }

    @Test
    void publishReturnsAtOnceWhileTheBrokerIsDown() throws Exception {
        KafkaExtension.Broker broker = KafkaExtension.broker();
        KafkaClusterBusConfig config = KafkaClusterBusConfig.of(broker.bootstrapServers(), broker.newTopic());
        KafkaClusterBus a = node(config);
        Recorder onA = subscribe(a);
        a.publish(0, numbered(0, 0));
        await().atMost(DELIVERY).until(() -> onA.count() == 1);

        broker.stop();
        int events = 5_000;
        long slowest = 0;
        long started = System.nanoTime();
        for (int i = 1; i <= events; i++) {
            long t0 = System.nanoTime();
            a.publish(i, numbered(0, i));
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        Thread.sleep(1_500); // longer than a send may block on the sending thread
        a.publish(0, numbered(0, events + 1));
        broker.start();

        assertThat(total).isLessThan(Duration.ofSeconds(1));
        assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofMillis(100));
        await().atMost(DELIVERY).until(() -> onA.distinct().size() == events + 2);
        assertThat(a.droppedEvents() + a.lostEvents()).isZero();
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() throws Exception {
        KafkaExtension.Broker broker = KafkaExtension.broker();
        KafkaClusterBusConfig base = KafkaClusterBusConfig.of(broker.bootstrapServers(), broker.newTopic());
        // a producer buffer of 64 KB and a queue of 100: an outage fills both at once
        KafkaClusterBusConfig config = new KafkaClusterBusConfig(base.bootstrapServers(), base.topic(),
            base.partitions(), base.replication(), base.retention(), base.timeout(), base.deliveryTimeout(), 100,
            base.lingerMillis(), Map.of("producer", Map.of("buffer.memory", "65536", "batch.size", "16384")));
        KafkaClusterBus a = node(config);
        Recorder onA = subscribe(a);
        a.publish(0, numbered(0, 0));
        await().atMost(DELIVERY).until(() -> onA.count() == 1);

        broker.stop();
        int events = 20_000;
        long started = System.nanoTime();
        for (int i = 1; i <= events; i++) {
            a.publish(i, ByteBuffer.allocate(100).putInt(0).putInt(i).array());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        broker.start();

        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(a.droppedEvents()).isPositive();
        long expected = 1 + events - a.droppedEvents();
        await().atMost(DELIVERY).until(() -> onA.distinct().size() == expected);
        assertThat(a.lostEvents()).isZero();
    }

    @Test
    void startingWithoutABrokerFailsAsUnavailableNamingTheServers() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        KafkaClusterBusConfig base = KafkaClusterBusConfig.of("127.0.0.1:" + port, "nowhere");
        KafkaClusterBusConfig config = new KafkaClusterBusConfig(base.bootstrapServers(), base.topic(),
            base.partitions(), base.replication(), base.retention(), Duration.ofMillis(1_000),
            base.deliveryTimeout(), base.queueCapacity(), base.lingerMillis(), Map.of());

        long started = System.nanoTime();
        assertThatThrownBy(() -> new KafkaClusterBus(config, "test"))
            .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
            .hasMessageContaining("127.0.0.1:" + port)
            .hasMessageContaining("nowhere");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    private KafkaClusterBus node(KafkaClusterBusConfig config) {
        KafkaClusterBus bus = new KafkaClusterBus(config, "test");
        closing.add(bus);
        return bus;
    }

    private Recorder subscribe(KafkaClusterBus bus) {
        Recorder r = new Recorder();
        closing.add(bus.subscribe(r));
        return r;
    }

    private static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }
}
