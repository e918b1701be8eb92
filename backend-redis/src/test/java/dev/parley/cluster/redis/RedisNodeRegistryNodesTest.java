package dev.parley.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.cluster.NodeInfo;
import dev.parley.cluster.NodeLoad;
import dev.parley.core.BackendConfig;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import dev.parley.testkit.RedisExtension;
import io.lettuce.core.RedisClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Nodes on one Redis: a crashed node fading within the TTL, Redis restarted and stopped, the stored layout. */
@ExtendWith(RedisExtension.class)
class RedisNodeRegistryNodesTest {
    private final String prefix = "n" + UUID.randomUUID() + ":";
    private final List<RedisNodeRegistry> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        RedisExtension.server().launch(); // in case a test left it stopped
        open.forEach(RedisNodeRegistry::close);
    }

    private RedisNodeRegistry node(long ttlMillis, long heartbeatMillis) {
        RedisNodeRegistry r = new RedisNodeRegistry(RedisNodeRegistryTest.config(prefix, ttlMillis, heartbeatMillis));
        open.add(r);
        return r;
    }

    private static List<Integer> ids(RedisNodeRegistry r) {
        return r.nodes().stream().map(NodeInfo::nodeId).toList();
    }

    @Test
    void aNodeThatStopsHeartbeatingDisappearsWithinTheTtlWhileLiveOnesStay() {
        RedisNodeRegistry live = node(2000, 200);
        RedisNodeRegistry dying = node(2000, 200);
        live.announce(1, "ws://a.test/v1/ws", () -> new NodeLoad(1, 0));
        dying.announce(2, "ws://b.test/v1/ws", () -> new NodeLoad(1, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(live).equals(List.of(1, 2)));

        dying.crash(); // no removal: its entry stays in Redis until it expires
        open.remove(dying);

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
            .until(() -> ids(live).equals(List.of(1)));
        Duration gone = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(gone).isGreaterThan(Duration.ofMillis(1000)).isLessThan(Duration.ofMillis(2000 + 500));
        // the live node keeps heartbeating past several TTLs; a node that never announced sees it too
        RedisNodeRegistry watcher = node(2000, 200);
        await().during(Duration.ofMillis(4500)).atMost(Duration.ofSeconds(6))
            .until(() -> ids(watcher).equals(List.of(1)));
    }

    @Test
    void afterARedisRestartEntriesComeBackWithinAHeartbeat() {
        RedisNodeRegistry a = node(5000, 1000);
        RedisNodeRegistry b = node(5000, 1000);
        a.announce(1, "ws://a.test/v1/ws", () -> new NodeLoad(3, 0.5));
        b.announce(2, "ws://b.test/v1/ws", () -> new NodeLoad(4, 0.5));
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(a).equals(List.of(1, 2)));

        RedisExtension.server().restart(); // every key is gone

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().pollInterval(Duration.ofMillis(50))
            .until(() -> ids(a).equals(List.of(1, 2)) && ids(b).equals(List.of(1, 2)));
        // one heartbeat, plus Lettuce's first reconnection attempt (it retries at once after the restart)
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1000 + 1500));
    }

    @Test
    void whileRedisIsDownNodesFailsClearlyAndHeartbeatsDoNotBlock() {
        RedisNodeRegistry a = node(5000, 200);
        a.announce(1, "ws://a.test/v1/ws", () -> new NodeLoad(1, 0));

        RedisExtension.server().stop();
        try {
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() ->
                assertThatThrownBy(a::nodes)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("nodes:")
                    .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE)));
            long t0 = System.nanoTime();
            a.heartbeat();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(200));
        } finally {
            RedisExtension.server().launch();
        }

        // another node sees it again: the heartbeats went on and reached the new Redis
        RedisNodeRegistry other = node(5000, 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(other).equals(List.of(1)));
    }

    @Test
    void theEntryIsOneHashFieldWithItsExpiryAndTheKeyExpiresToo() throws Exception {
        RedisNodeRegistry a = node(5000, 200);
        a.announce(7, "ws://a.test:8080/v1/ws?x=1,2", () -> new NodeLoad(12, 0.25));
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(node(5000, 200)).equals(List.of(7)));

        try (RedisClient client = RedisClient.create(RedisExtension.server().uri().toString());
             var c = client.connect()) {
            Map<String, String> hash = c.sync().hgetall(prefix + "nodes");
            assertThat(hash).containsOnlyKeys("7");
            String[] v = hash.get("7").split(",", 5);
            long now = System.currentTimeMillis();
            assertThat(Long.parseLong(v[0])).isBetween(now, now + 5000 + 1000); // expiresAt
            assertThat(Long.parseLong(v[1])).isBetween(now - 5000, now + 1000); // heartbeatAt
            assertThat(v[2]).isEqualTo("12");
            assertThat(Double.parseDouble(v[3])).isEqualTo(0.25);
            assertThat(v[4]).isEqualTo("ws://a.test:8080/v1/ws?x=1,2"); // the URL is last: commas are fine
            assertThat(c.sync().pttl(prefix + "nodes")).isBetween(1L, 5000L);
        }
        assertThat(a.nodes()).singleElement().extracting(NodeInfo::wsUrl).isEqualTo("ws://a.test:8080/v1/ws?x=1,2");
    }

    @Test
    void configurationComesFromTheNodesSectionAndBadValuesNameTheKey() {
        RedisNodeRegistryConfig c = RedisNodeRegistryConfig.from(new BackendConfig("nodes", "redis",
            Map.of("uri", "redis://10.0.0.1:6380", "keyPrefix", "x:", "ttlSeconds", "7", "heartbeatMillis", "500"),
            Path.of(".")));
        assertThat(c.uri().getPort()).isEqualTo(6380);
        assertThat(c.keyPrefix()).isEqualTo("x:");
        assertThat(c.ttl()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.heartbeat()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(RedisNodeRegistryConfig.DEFAULT_TIMEOUT_MILLIS));

        assertThatThrownBy(() -> RedisNodeRegistryConfig.from(new BackendConfig("nodes", "redis",
            Map.of("ttlSeconds", "1", "heartbeatMillis", "1000"), Path.of("."))))
            .hasMessageContaining("nodes.heartbeatMillis").hasMessageContaining("nodes.ttlSeconds");
        assertThatThrownBy(() -> RedisNodeRegistryConfig.from(new BackendConfig("nodes", "redis",
            Map.of("uri", "http://redis"), Path.of("."))))
            .hasMessageContaining("nodes.uri").hasMessageContaining("http://redis");
    }
}
