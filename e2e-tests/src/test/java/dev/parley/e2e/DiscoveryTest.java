package dev.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.client.ParleySession;
import dev.parley.client.SessionOptions;
import dev.parley.protocol.ServerFrame;
import dev.parley.testkit.RedisExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes sharing the directory and a Redis node registry: the SDK's session goes where {@code GET /v1/discovery}
 * points, and when its node stops or crashes it lands on the live one and resyncs from its cursor. On the embedded
 * backends the nodes share one SQLite directory file (messages stay per node); on the scaled ones, everything.
 */
@ExtendWith(RedisExtension.class)
class DiscoveryTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final String prefix = "disc" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** The settings of node {@code nodeId} of this test's cluster. */
    private Map<String, String> node(int nodeId, int ttlSeconds) {
        Map<String, String> s = new HashMap<>(Map.of(
            "server.nodeId", Integer.toString(nodeId),
            "nodes.type", "redis",
            "nodes.uri", RedisExtension.server().uri().toString(),
            "nodes.keyPrefix", prefix,
            "nodes.ttlSeconds", Integer.toString(ttlSeconds),
            "nodes.heartbeatMillis", "200"));
        if (!ScaledBackends.enabled()) { // the scaled run shares PostgreSQL already
            s.put("directory.path", dir.resolve("shared-directory.db").toString());
        }
        return s;
    }

    private static URI ws(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/v1/ws");
    }

    /** {@code n} open connections on {@code server}, of a user of their own. */
    private void load(TestServer server, int n) {
        TestServer.User u = server.newUser("load");
        for (int i = 0; i < n; i++) {
            open.add(server.connect(u));
        }
    }

    /** Bob's frames, each (conversation, seq) once: delivery is at least once across a failover. */
    private record Inbox(List<String> bodies, Set<String> seen) {
        Inbox() {
            this(new CopyOnWriteArrayList<>(), ConcurrentHashMap.newKeySet());
        }

        ConnectOptions options() {
            return ConnectOptions.defaults().withAutoAck(true).withListener(f -> {
                if (f instanceof ServerFrame.Message m && seen.add(m.conversationId() + "/" + m.seq())) {
                    bodies.add(m.body());
                }
            });
        }
    }

    private static void send(TestServer server, Credentials from, String toUserId, String body) throws Exception {
        try (ParleyConnection c = server.client().connect(from.token()).join()) {
            c.sendToUser(toUserId, body).get();
        }
    }

    @Test
    void aSessionGoesWhereDiscoveryPointsAndMovesToTheLiveNodeWhenItsNodeStops() throws Exception {
        TestServer a = new TestServer(dir.resolve("a"), node(1, 2));
        open.add(a);
        TestServer b = new TestServer(dir.resolve("b"), node(2, 2));
        open.add(b);
        TestServer.User alice = a.newUser("alice");
        TestServer.User bob = a.newUser("bob");
        load(a, 5);
        await().atMost(T).until(() -> a.client().discover().url().equals(ws(b.port())));

        Inbox inbox = new Inbox();
        try (ParleySession session = a.client().session(bob.token(), inbox.options(),
            SessionOptions.defaults().withDiscovery().withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)))) {
            assertThat(session.awaitConnected(T).uri()).isEqualTo(ws(b.port()));
            send(a, alice.device(), bob.id(), "sent while bob is on b");

            b.close(); // b leaves discovery, then closes its sockets with 1001

            await().atMost(T).until(() -> session.current().map(c -> c.uri().equals(ws(a.port()))).orElse(false));
            await().atMost(T).until(() -> inbox.bodies().contains("sent while bob is on b"));
            send(a, alice.device(), bob.id(), "after the move");
            await().atMost(T).until(() -> inbox.bodies().contains("after the move"));
            assertThat(inbox.bodies()).containsExactly("sent while bob is on b", "after the move");
            assertThat(session.connections()).isEqualTo(2);
        }
    }

    @Test
    void aSessionLeavesACrashedNodeForTheLiveOneBeforeTheRegistryDropsIt() throws Exception {
        TestServer a = new TestServer(dir.resolve("a"), node(1, 6));
        open.add(a);
        ChildServer b = new ChildServer(dir.resolve("b"), node(2, 6));
        open.add(b);
        b.start();
        TestServer.User bob = a.newUser("bob");
        load(a, 5);
        await().atMost(T).until(() -> a.client().discover().url().equals(ws(b.port)));

        try (ParleySession session = a.client().session(bob.token(), ConnectOptions.defaults(),
            SessionOptions.defaults().withDiscovery().withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)))) {
            assertThat(session.awaitConnected(T).uri()).isEqualTo(ws(b.port));

            b.kill9(); // no clean stop: its entry stays in Redis for up to 6 s
            long t0 = System.nanoTime();

            // discovery still names b (its last heartbeat is fresh and it has fewer connections); the session
            // passes over the node it just lost
            await().atMost(T).until(() -> session.current().map(c -> c.uri().equals(ws(a.port()))).orElse(false));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
            // and the registry drops b within its TTL
            await().atMost(Duration.ofSeconds(10)).until(() -> a.client().discover().nodes().size() == 1);
            assertThat(a.client().discover().url()).isEqualTo(ws(a.port()));
        }
    }

    @Test
    void discoverWorksAgainstAnyNodeWithoutAToken() throws Exception {
        TestServer a = new TestServer(dir.resolve("a"), node(1, 2));
        open.add(a);
        TestServer b = new TestServer(dir.resolve("b"), node(2, 2));
        open.add(b);
        try (ParleyClient anywhere = ParleyClient.create(URI.create("http://127.0.0.1:" + b.port()))) {
            await().atMost(T).until(() -> anywhere.discover().nodes().size() == 2);
            assertThat(anywhere.discover().nodes()).extracting(n -> n.url())
                .containsExactlyInAnyOrder(ws(a.port()), ws(b.port()));
        }
    }
}
