package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link NodeRegistry}. Every implementation subclasses this and only says how to build a registry:
 *
 * <pre>{@code
 * class LocalNodeRegistryTest extends NodeRegistryContract {
 *     protected NodeRegistry newRegistry() { return new LocalNodeRegistry(Clock.systemUTC()); }
 * }
 * }</pre>
 *
 * Registries built during one test are nodes of one cluster (they see each other when
 * {@link NodeRegistry#connectsNodes} is true); registries of different tests never see each other. A networked
 * implementation should heartbeat every few hundred milliseconds here: the suite waits at most {@link #WAIT}.
 */
public abstract class NodeRegistryContract {
    /** The longest any expectation is waited for. */
    protected static final Duration WAIT = Duration.ofSeconds(10);
    private static final String URL_1 = "ws://node1.test:8080/v1/ws";
    private static final String URL_2 = "wss://node2.test/v1/ws";

    private final List<NodeRegistry> open = new CopyOnWriteArrayList<>();

    /** A new node of this test's cluster, that has announced nothing yet. */
    protected abstract NodeRegistry newRegistry();

    /** {@link #newRegistry}, closed after the test. */
    protected NodeRegistry node() {
        NodeRegistry r = newRegistry();
        open.add(r);
        return r;
    }

    @AfterEach
    void closeAll() {
        open.forEach(NodeRegistry::close);
    }

    private static NodeInfo only(List<NodeInfo> nodes, int nodeId) {
        return nodes.stream().filter(n -> n.nodeId() == nodeId).findFirst()
            .orElseThrow(() -> new AssertionError("node " + nodeId + " not in " + nodes));
    }

    @Test
    void nothingIsListedBeforeAnAnnouncement() {
        assertThat(node().nodes()).isEmpty();
    }

    @Test
    void anAnnouncedNodeIsListedAtOnceWithItsUrlAndLoad() {
        NodeRegistry r = node();
        long before = System.currentTimeMillis();

        r.announce(1, URL_1, () -> new NodeLoad(7, 0.25));

        List<NodeInfo> nodes = r.nodes();
        assertThat(nodes).hasSize(1);
        NodeInfo me = nodes.get(0);
        assertThat(me.nodeId()).isEqualTo(1);
        assertThat(me.wsUrl()).isEqualTo(URL_1);
        assertThat(me.load()).isEqualTo(new NodeLoad(7, 0.25));
        assertThat(me.heartbeatAt()).isBetween(before - 1000, System.currentTimeMillis() + 1000);
    }

    @Test
    void announceReturnsAtOnceWhateverTheLoadSupplierDoes() {
        NodeRegistry r = node();
        long t0 = System.nanoTime();

        r.announce(1, URL_1, () -> new NodeLoad(1, 0.5));

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(200));
    }

    @Test
    void loadChangesAndHeartbeatsAreSeen() {
        NodeRegistry r = node();
        AtomicReference<NodeLoad> load = new AtomicReference<>(new NodeLoad(1, 0.1));
        r.announce(1, URL_1, load::get);
        long first = only(r.nodes(), 1).heartbeatAt();

        load.set(new NodeLoad(42, 0.8));

        await().atMost(WAIT).untilAsserted(() -> {
            NodeInfo me = only(r.nodes(), 1);
            assertThat(me.load()).isEqualTo(new NodeLoad(42, 0.8));
            assertThat(me.heartbeatAt()).isGreaterThan(first);
        });
    }

    @Test
    void aFailingLoadSupplierKeepsTheLastLoadAndTheHeartbeats() {
        NodeRegistry r = node();
        AtomicBoolean failing = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        r.announce(1, URL_1, () -> {
            calls.incrementAndGet();
            if (failing.get()) {
                throw new IllegalStateException("no load today");
            }
            return new NodeLoad(3, 0.3);
        });
        await().atMost(WAIT).until(() -> only(r.nodes(), 1).load().equals(new NodeLoad(3, 0.3)));

        failing.set(true);
        long at = only(r.nodes(), 1).heartbeatAt();
        int callsBefore = calls.get();

        await().atMost(WAIT).untilAsserted(() -> {
            NodeInfo me = only(r.nodes(), 1);
            assertThat(calls.get()).isGreaterThan(callsBefore + 1); // it kept asking
            assertThat(me.heartbeatAt()).isGreaterThan(at);
            assertThat(me.load()).isEqualTo(new NodeLoad(3, 0.3));
        });
    }

    @Test
    void aSecondAnnouncementIsRefused() {
        NodeRegistry r = node();
        r.announce(1, URL_1, () -> new NodeLoad(0, 0));

        assertThatThrownBy(() -> r.announce(2, URL_2, () -> new NodeLoad(0, 0)))
            .isInstanceOf(IllegalStateException.class);
        assertThat(r.nodes()).extracting(NodeInfo::nodeId).containsExactly(1);
    }

    @Test
    void closeIsIdempotentAndAnnounceAfterItIsRefused() {
        NodeRegistry r = node();
        r.close();
        r.close();

        assertThatThrownBy(() -> r.announce(1, URL_1, () -> new NodeLoad(0, 0)))
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theTtlIsNotNegative() {
        assertThat(node().ttl().isNegative()).isFalse();
    }

    // ---- several nodes (skipped by single-node implementations)

    private NodeRegistry peer() {
        NodeRegistry r = node();
        assumeThat(r.connectsNodes()).as("single-node implementation").isTrue();
        return r;
    }

    @Test
    void nodesSeeEachOther() {
        NodeRegistry a = peer();
        NodeRegistry b = peer();

        a.announce(1, URL_1, () -> new NodeLoad(10, 0.5));
        b.announce(2, URL_2, () -> new NodeLoad(20, 0.25));

        for (NodeRegistry r : List.of(a, b)) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(r.nodes())
                .extracting(NodeInfo::nodeId, NodeInfo::wsUrl, NodeInfo::connections, NodeInfo::cpuLoad)
                .containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple(1, URL_1, 10, 0.5),
                    org.assertj.core.groups.Tuple.tuple(2, URL_2, 20, 0.25)));
        }
    }

    @Test
    void aNodeThatDidNotAnnounceSeesTheOthers() {
        NodeRegistry a = peer();
        NodeRegistry watcher = peer();

        a.announce(1, URL_1, () -> new NodeLoad(1, 0));

        await().atMost(WAIT).untilAsserted(() ->
            assertThat(watcher.nodes()).extracting(NodeInfo::nodeId).containsExactly(1));
    }

    @Test
    void aClosedNodeIsGoneFromTheOthersAtOnce() {
        NodeRegistry a = peer();
        NodeRegistry b = peer();
        a.announce(1, URL_1, () -> new NodeLoad(1, 0));
        b.announce(2, URL_2, () -> new NodeLoad(1, 0));
        await().atMost(WAIT).until(() -> a.nodes().size() == 2);

        b.close();

        assertThat(a.nodes()).extracting(NodeInfo::nodeId).containsExactly(1);
        // and it stays gone: nothing heartbeats it back
        await().during(Duration.ofMillis(1500)).atMost(WAIT)
            .until(() -> a.nodes().stream().noneMatch(n -> n.nodeId() == 2));
    }
}
