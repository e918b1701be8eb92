package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ClusterBus}. Every implementation subclasses this and only says how to make a node:
 *
 * <pre>{@code
 * class InMemoryClusterBusTest extends ClusterBusContract {
 *     private final String hub = "test-" + UUID.randomUUID();   // JUnit makes an instance per test
 *     protected ClusterBus newBus() { return new InMemoryClusterBus(hub); }
 * }
 * }</pre>
 *
 * Buses made in one test are nodes of one cluster (one topic, one hub); buses of different tests MUST NOT see each
 * other's events. The suite closes every bus it made after each test.
 *
 * <p>"Published before a subscription" means, across nodes, already delivered to a subscription that existed: only
 * then is an event certainly in the bus rather than on its way to it.
 */
public abstract class ClusterBusContract {
    /** How long delivery may take; generous, for networked buses on a loaded test machine. */
    protected static final Duration DELIVERY = Duration.ofSeconds(60);

    private final List<ClusterBus> buses = new ArrayList<>();
    private final List<AutoCloseable> subscriptions = new ArrayList<>();

    /**
     * A new node of this test's cluster: every bus made by one test instance shares one underlying bus, and no bus
     * of another test sees it.
     */
    protected abstract ClusterBus newBus();

    /** A node that the suite closes after the test. */
    protected ClusterBus node() {
        ClusterBus bus = newBus();
        buses.add(bus);
        return bus;
    }

    @AfterEach
    void closeNodes() throws Exception {
        for (AutoCloseable s : subscriptions) {
            s.close();
        }
        for (ClusterBus bus : buses) {
            bus.close();
        }
    }

    @Test
    void eventReachesEveryNodeThePublisherIncluded() {
        ClusterBus a = node();
        ClusterBus b = node();
        Recorder onA = subscribe(a);
        Recorder onB = subscribe(b);

        a.publish(1, bytes("from a"));
        b.publish(2, bytes("from b"));

        assertThat(a.connectsNodes()).isTrue();
        await().atMost(DELIVERY).untilAsserted(() -> {
            assertThat(onA.strings()).containsExactlyInAnyOrder("from a", "from b");
            assertThat(onB.strings()).containsExactlyInAnyOrder("from a", "from b");
        });
    }

    @Test
    void severalSubscriptionsOnOneNodeEachGetEveryEvent() {
        ClusterBus a = node();
        Recorder first = subscribe(a);
        Recorder second = subscribe(a);

        a.publish(7, bytes("twice"));

        await().atMost(DELIVERY).untilAsserted(() -> {
            assertThat(first.strings()).containsExactly("twice");
            assertThat(second.strings()).containsExactly("twice");
        });
    }

    @Test
    void eventsOfOneKeyArriveInPublishOrder() {
        ClusterBus a = node();
        ClusterBus b = node();
        Recorder onA = subscribe(a);
        Recorder onB = subscribe(b);
        int keys = 7;
        int perKey = 300; // 2,100 events

        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                a.publish(k * 1_000_003L, numbered(k, i));
            }
        }

        for (Recorder r : List.of(onA, onB)) {
            await().atMost(DELIVERY).until(() -> r.distinct().size() == keys * perKey);
            Map<Integer, List<Integer>> byKey = new TreeMap<>();
            for (byte[] e : r.distinct()) {
                ByteBuffer buf = ByteBuffer.wrap(e);
                byKey.computeIfAbsent(buf.getInt(), k -> new ArrayList<>()).add(buf.getInt());
            }
            assertThat(byKey).hasSize(keys);
            byKey.forEach((k, seqs) -> assertThat(seqs).as("key %d", k).isSorted().hasSize(perKey));
            assertThat(r.overlapped()).as("the handler ran for two events at once").isFalse();
        }
    }

    @Test
    void manyEventsFromSeveralNodesNoneLost() throws InterruptedException {
        ClusterBus a = node();
        ClusterBus b = node();
        ClusterBus c = node();
        Recorder onA = subscribe(a);
        Recorder onC = subscribe(c);
        int perPublisher = 10_000;

        Thread fromA = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < perPublisher; i++) {
                a.publish(i % 97, numbered(0, i));
            }
        });
        Thread fromB = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < perPublisher; i++) {
                b.publish(i % 89, numbered(1, i));
            }
        });
        fromA.join();
        fromB.join();

        for (Recorder r : List.of(onA, onC)) {
            await().atMost(DELIVERY).until(() -> r.distinct().size() >= 2 * perPublisher);
            BitSet[] seen = {new BitSet(), new BitSet()};
            for (byte[] e : r.distinct()) {
                ByteBuffer buf = ByteBuffer.wrap(e);
                seen[buf.getInt()].set(buf.getInt());
            }
            assertThat(seen[0].cardinality()).isEqualTo(perPublisher);
            assertThat(seen[1].cardinality()).isEqualTo(perPublisher);
        }
    }

    @Test
    void subscriptionStartsAtTheCurrentEnd() {
        ClusterBus a = node();
        ClusterBus b = node();
        Recorder witness = subscribe(a);
        for (int i = 0; i < 100; i++) {
            a.publish(i, bytes("old " + i));
        }
        b.publish(1, bytes("old from b"));
        // once a subscription saw them, they are in the bus
        await().atMost(DELIVERY).until(() -> witness.count() == 101);

        Recorder lateOnA = subscribe(a);
        Recorder lateOnB = subscribe(b);
        a.publish(1, bytes("new from a"));
        b.publish(1, bytes("new from b"));

        await().atMost(DELIVERY).untilAsserted(() -> {
            assertThat(lateOnA.strings()).containsExactlyInAnyOrder("new from a", "new from b");
            assertThat(lateOnB.strings()).containsExactlyInAnyOrder("new from a", "new from b");
        });
    }

    @Test
    void closedSubscriptionGetsNothingMore() throws Exception {
        ClusterBus a = node();
        ClusterBus b = node();
        Recorder stays = subscribe(b);
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        AutoCloseable leaving = b.subscribe(e -> {
            calls.incrementAndGet();
            inHandler.countDown();
            awaitQuietly(release);
        });
        subscriptions.add(leaving);

        // the handler is stuck in the first event while more wait behind it
        for (int i = 0; i < 20; i++) {
            a.publish(1, bytes("before close " + i));
        }
        assertThat(inHandler.await(DELIVERY.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().atMost(DELIVERY).until(() -> stays.count() == 20);
        leaving.close();
        release.countDown();
        for (int i = 0; i < 20; i++) {
            a.publish(1, bytes("after close " + i));
        }

        await().atMost(DELIVERY).until(() -> stays.count() == 40);
        Thread.sleep(200); // a little more time for anything wrongly delivered
        assertThat(calls).as("handler calls: only the one running when the subscription closed").hasValue(1);
    }

    @Test
    void closingABusEndsItsSubscriptions() throws InterruptedException {
        ClusterBus a = node();
        ClusterBus b = node();
        Recorder onA = subscribe(a);
        Recorder onB = subscribe(b);
        a.publish(1, bytes("one"));
        await().atMost(DELIVERY).until(() -> onB.count() == 1);

        b.close();
        a.publish(1, bytes("two"));

        await().atMost(DELIVERY).until(() -> onA.count() == 2);
        Thread.sleep(200);
        assertThat(onB.strings()).containsExactly("one");
    }

    @Test
    void publishDoesNotWaitForHandlers() {
        ClusterBus a = node();
        ClusterBus b = node();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowCalls = new AtomicInteger();
        subscriptions.add(a.subscribe(e -> {
            slowCalls.incrementAndGet();
            awaitQuietly(release);
        }));
        Recorder onB = subscribe(b);
        int events = 2_000;

        long slowest = 0;
        long started = System.nanoTime();
        for (int i = 0; i < events; i++) {
            long t0 = System.nanoTime();
            a.publish(i, numbered(0, i));
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        long total = System.nanoTime() - started;
        release.countDown();

        assertThat(Duration.ofNanos(total)).as("%d publishes", events).isLessThan(Duration.ofSeconds(2));
        assertThat(Duration.ofNanos(slowest)).as("the slowest publish").isLessThan(Duration.ofMillis(500));
        await().atMost(DELIVERY).until(() -> onB.distinct().size() == events && slowCalls.get() >= events);
    }

    @Test
    void aThrowingHandlerStillGetsLaterEvents() {
        ClusterBus a = node();
        List<String> seen = new CopyOnWriteArrayList<>();
        subscriptions.add(a.subscribe(e -> {
            String s = new String(e, StandardCharsets.UTF_8);
            seen.add(s);
            if (s.startsWith("bad")) {
                throw new IllegalStateException("handler failure on purpose (expected in this test)");
            }
        }));

        a.publish(1, bytes("bad 1"));
        a.publish(1, bytes("good 2"));
        a.publish(1, bytes("bad 3"));
        a.publish(1, bytes("good 4"));

        await().atMost(DELIVERY).untilAsserted(() ->
            assertThat(seen).containsExactly("bad 1", "good 2", "bad 3", "good 4"));
    }

    @Test
    void payloadBytesArriveIntact() {
        ClusterBus a = node();
        ClusterBus b = node();
        Recorder onB = subscribe(b);
        byte[] allValues = new byte[256];
        for (int i = 0; i < allValues.length; i++) {
            allValues[i] = (byte) i;
        }
        byte[] large = new byte[100 * 1024];
        new Random(42).nextBytes(large);
        List<byte[]> sent = List.of(new byte[0], new byte[] {0}, allValues, large, new byte[] {(byte) 0xFF, 0, 0});

        for (byte[] e : sent) {
            a.publish(-1L, e.clone());
        }

        await().atMost(DELIVERY).until(() -> onB.count() == sent.size());
        List<byte[]> got = onB.events();
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i)).as("event %d", i).isEqualTo(sent.get(i));
        }
    }

    @Test
    void keysCoverTheWholeLongRange() {
        ClusterBus a = node();
        Recorder onA = subscribe(a);
        long[] keys = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE};

        for (long k : keys) {
            a.publish(k, bytes("key " + k));
        }

        await().atMost(DELIVERY).until(() -> onA.count() == keys.length);
        assertThat(onA.strings()).containsExactlyInAnyOrderElementsOf(
            Arrays.stream(keys).mapToObj(k -> "key " + k).toList());
    }

    /** Subscribes a recorder that the suite closes after the test. */
    protected Recorder subscribe(ClusterBus bus) {
        Recorder r = new Recorder();
        subscriptions.add(bus.subscribe(r));
        return r;
    }

    /** {@code publisher} and {@code seq} as 8 bytes, for tests that count and order events. */
    public static byte[] numbered(int publisher, int seq) {
        return ByteBuffer.allocate(8).putInt(publisher).putInt(seq).array();
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(DELIVERY.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A handler that keeps what it receives and notices two calls at once. */
    public static final class Recorder implements Consumer<byte[]> {
        private final List<byte[]> events = new ArrayList<>();
        private final AtomicBoolean inside = new AtomicBoolean();
        private volatile boolean overlapped;

        @Override
        public void accept(byte[] event) {
            if (!inside.compareAndSet(false, true)) {
                overlapped = true;
            }
            synchronized (this) {
                events.add(event);
            }
            inside.set(false);
        }

        public synchronized int count() {
            return events.size();
        }

        public synchronized List<byte[]> events() {
            return List.copyOf(events);
        }

        /** The events without repeats (a bus may deliver one twice after a failure), first arrival first. */
        public synchronized List<byte[]> distinct() {
            Set<ByteBuffer> seen = new LinkedHashSet<>();
            for (byte[] e : events) {
                seen.add(ByteBuffer.wrap(e));
            }
            return seen.stream().map(ByteBuffer::array).toList();
        }

        public synchronized List<String> strings() {
            return events.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList();
        }

        public boolean overlapped() {
            return overlapped;
        }
    }
}
