package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.ParleyException;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DiscoveryServiceTest {
    /** A registry that lists what the test says. */
    private static final class Listed implements NodeRegistry {
        volatile List<NodeInfo> nodes = List.of();
        volatile RuntimeException failure;
        volatile Supplier<NodeLoad> announced;
        volatile boolean closed;

        @Override
        public void announce(int nodeId, String wsUrl, Supplier<NodeLoad> load) {
            announced = load;
        }

        @Override
        public List<NodeInfo> nodes() {
            if (failure != null) {
                throw failure;
            }
            return nodes;
        }

        @Override
        public Duration ttl() {
            return Duration.ofSeconds(5);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final Listed registry = new Listed();
    private int connections = 4;
    private double cpu = 0.5;
    private static final long NOW = 1_000_000;
    private final DiscoveryService discovery = new DiscoveryService(registry, 1, () -> connections, () -> cpu,
        Clock.fixed(java.time.Instant.ofEpochMilli(NOW), java.time.ZoneOffset.UTC));

    /** A node that heartbeated within the last second; {@code heartbeat} tells its heartbeats apart. */
    private static NodeInfo node(int id, int connections, double cpu, long heartbeat) {
        return new NodeInfo(id, "ws://n" + id + ".test/v1/ws", connections, cpu, NOW - 1000 + heartbeat);
    }

    @Test
    void theNodeWithTheFewestConnectionsWinsAndTheRestFollowBestFirst() {
        discovery.announce("ws://n1.test/v1/ws", true);
        registry.nodes = List.of(node(1, 30, 0.1, 1), node(2, 10, 0.7, 1), node(3, 20, 0.2, 1));

        DiscoveryService.Choice c = discovery.choose();

        assertThat(c.node().nodeId()).isEqualTo(2);
        assertThat(c.ranked()).extracting(NodeInfo::nodeId).containsExactly(2, 3, 1);
        assertThat(c.fromRegistry()).isTrue();
    }

    @Test
    void equalConnectionsGoToTheLowerCpuThenTheLowerId() {
        discovery.announce("ws://n1.test/v1/ws", true);
        registry.nodes = List.of(node(3, 5, 0.2, 1), node(1, 5, 0.6, 1), node(2, 5, 0.2, 1));

        assertThat(discovery.choose().ranked()).extracting(NodeInfo::nodeId).containsExactly(2, 3, 1);
    }

    @Test
    void anOverloadedCpuIsAvoidedUnlessEveryNodeIsOverloaded() {
        discovery.announce("ws://n1.test/v1/ws", true);
        registry.nodes = List.of(node(1, 0, 0.95, 1), node(2, 500, 0.4, 1));
        assertThat(discovery.choose().node().nodeId()).isEqualTo(2);

        registry.nodes = List.of(node(1, 0, 0.95, 2), node(2, 500, 0.99, 2));
        assertThat(discovery.choose().node().nodeId()).isEqualTo(1);
    }

    @Test
    void aNodeThatMissedHeartbeatsForHalfTheTtlIsChosenOnlyWhenAllHave() {
        discovery.announce("ws://n1.test/v1/ws", true);
        NodeInfo silent = new NodeInfo(2, "ws://n2.test/v1/ws", 0, 0, NOW - 2600); // TTL 5 s: over 2.5 s ago
        registry.nodes = List.of(node(1, 100, 0.5, 0), silent);
        assertThat(discovery.choose().ranked()).extracting(NodeInfo::nodeId).containsExactly(1, 2);

        registry.nodes = List.of(new NodeInfo(1, "ws://n1.test/v1/ws", 100, 0.5, NOW - 3000), silent);
        assertThat(discovery.choose().node().nodeId()).isEqualTo(2);
    }

    @Test
    void clientsSentSinceTheLastHeartbeatCountSoThatAStormSpreads() {
        discovery.announce("ws://n1.test/v1/ws", true);
        registry.nodes = List.of(node(1, 10, 0, 100), node(2, 4, 0, 100), node(3, 7, 0, 100));

        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            chosen.add(discovery.choose().node().nodeId());
        }

        // 2 fills up to 7, then 2 and 3 alternate up to 10, then all three share
        assertThat(chosen).containsExactly(2, 2, 2, 2, 3, 2, 3, 2, 3, 1, 2, 3);

        // a new heartbeat carries the true counts: the estimates start again from them
        registry.nodes = List.of(node(1, 11, 0, 200), node(2, 11, 0, 200), node(3, 2, 0, 200));
        assertThat(discovery.choose().node().nodeId()).isEqualTo(3);
    }

    @Test
    void whenTheRegistryFailsThisNodeAnswersItself() {
        discovery.announce("ws://n1.test/v1/ws", true);
        registry.failure = new StorageException(ErrorCode.UNAVAILABLE, "nodes: Redis is down", null);

        DiscoveryService.Choice c = discovery.choose();

        assertThat(c.fromRegistry()).isFalse();
        assertThat(c.node()).extracting(NodeInfo::nodeId, NodeInfo::wsUrl, NodeInfo::connections)
            .containsExactly(1, "ws://n1.test/v1/ws", 4);
        assertThat(c.ranked()).containsExactly(c.node());
    }

    @Test
    void beforeTheAnnouncementDiscoveryIsUnavailable() {
        assertThatThrownBy(discovery::choose).isInstanceOf(ParleyException.class)
            .satisfies(e -> assertThat(((ParleyException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void theAnnouncedLoadIsThisNodesConnectionsAndCpuClamped() {
        discovery.announce("wss://chat.example/v1/ws", false);
        assertThat(registry.announced.get()).isEqualTo(new NodeLoad(4, 0.5));
        connections = 9;
        cpu = -1; // the JVM's "unknown"
        assertThat(registry.announced.get()).isEqualTo(new NodeLoad(9, 0));
        cpu = 1.2;
        assertThat(registry.announced.get()).isEqualTo(new NodeLoad(9, 1));
        assertThat(DiscoveryService.systemCpuLoad()).isBetween(0.0, 1.0);
    }

    @Test
    void aPublicUrlMustBeAWebSocketUrl() {
        assertThatThrownBy(() -> discovery.announce("http://n1.test:8080", true))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("server.publicUrl").hasMessageContaining("http://n1.test:8080");
    }

    @Test
    void closingLeavesTheRegistry() {
        discovery.close();
        assertThat(registry.closed).isTrue();
    }
}
