package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session's discovery: which node it asks, where it connects, and where it goes when its node dies. */
class ParleySessionDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestWebSocketServer nodeA;
    private TestWebSocketServer nodeB;
    private HttpServer discovery;
    private volatile int discoveryStatus = 200;
    private volatile String discoveryBody;
    private final AtomicInteger asked = new AtomicInteger();
    private ParleyClient client;

    @BeforeEach
    void start() throws IOException {
        nodeA = new TestWebSocketServer(new FakeParley());
        nodeB = new TestWebSocketServer(new FakeParley());
        discovery = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        discovery.createContext("/v1/discovery", exchange -> {
            asked.incrementAndGet();
            byte[] body = discoveryBody.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(discoveryStatus, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        discovery.start();
        pointAt(nodeA, nodeB);
        client = ParleyClient.create(discoveryUrl());
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        discovery.stop(0);
        nodeA.close();
        nodeB.close();
    }

    private URI discoveryUrl() {
        return URI.create("http://127.0.0.1:" + discovery.getAddress().getPort());
    }

    private static URI ws(TestWebSocketServer node) {
        return URI.create("ws" + node.baseUrl().toString().substring(4) + "/v1/ws");
    }

    /** Discovery answers the first node, listing them all best first. */
    private void pointAt(TestWebSocketServer... nodes) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < nodes.length; i++) {
            list.append(i == 0 ? "" : ",").append("{\"nodeId\":").append(i + 1).append(",\"url\":\"")
                .append(ws(nodes[i])).append("\"}");
        }
        discoveryBody = "{\"url\":\"" + ws(nodes[0]) + "\",\"nodeId\":1,\"nodes\":[" + list + "]}";
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private ParleySession session(SessionOptions options) {
        return client.session("user:alice", ConnectOptions.defaults(),
            options.withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)));
    }

    @Test
    void discoverReadsTheAnswer() {
        Discovery d = client.discover();

        assertThat(d.url()).isEqualTo(ws(nodeA));
        assertThat(d.nodeId()).isEqualTo(1);
        assertThat(d.nodes()).containsExactly(new Discovery.Node(1, ws(nodeA)), new Discovery.Node(2, ws(nodeB)));
    }

    @Test
    void aDiscoveryAnswerWithoutAWebSocketUrlIsRefused() {
        discoveryBody = "{\"url\":\"http://x/v1/ws\",\"nodeId\":1}";

        assertThatThrownBy(() -> client.discover()).isInstanceOf(ParleyException.class)
            .hasMessageContaining("http://x/v1/ws");
    }

    @Test
    void aFailedDiscoveryIsAnApiError() {
        discoveryStatus = 503;
        discoveryBody = "{\"error\":{\"code\":\"unavailable\",\"message\":\"starting\"}}";

        assertThatThrownBy(() -> client.discover()).isInstanceOf(ParleyApiException.class)
            .satisfies(e -> assertThat(((ParleyApiException) e).status()).isEqualTo(503));
    }

    @Test
    void theSessionConnectsWhereDiscoveryPointsAndMovesOnWhenThatNodeDies() throws Exception {
        // Short retries: this is about where the session goes, not how long it waits (the default backoff grows to
        // 30 s, and a loaded CI machine once took more than the 10 s allowed here).
        try (ParleySession s = session(SessionOptions.defaults().withDiscovery()
            .withBackoff(Duration.ofMillis(50), Duration.ofMillis(500)))) {
            ParleyConnection first = s.awaitConnected(WAIT);
            assertThat(first.uri()).isEqualTo(ws(nodeA));

            // node A dies; discovery still names it first (the registry has not noticed yet)
            nodeA.close();

            await().atMost(WAIT).until(() -> s.current().map(c -> c.uri().equals(ws(nodeB))).orElse(false));
            assertThat(s.awaitConnected(WAIT).uri()).isEqualTo(ws(nodeB));
            assertThat(s.connections()).isEqualTo(2);
        }
    }

    @Test
    void anUnreachableSeedIsSkippedForTheNext() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + deadPort());
        try (ParleySession s = session(SessionOptions.defaults().withDiscovery(dead, discoveryUrl()))) {
            assertThat(s.awaitConnected(WAIT).uri()).isEqualTo(ws(nodeA));
        }
    }

    @Test
    void whenNoNodeAnswersTheSessionKeepsTryingUntilOneDoes() throws Exception {
        discoveryStatus = 503;
        discoveryBody = "{\"error\":{\"code\":\"unavailable\",\"message\":\"starting\"}}";
        try (ParleySession s = session(SessionOptions.defaults().withDiscovery())) {
            await().atMost(WAIT).until(() -> asked.get() >= 3);
            assertThat(s.current()).isEmpty();

            discoveryStatus = 200;
            pointAt(nodeB, nodeA);

            assertThat(s.awaitConnected(WAIT).uri()).isEqualTo(ws(nodeB));
        }
    }

    @Test
    void nodesListedInAnswersAreAskedWhenTheSeedsAreGone() throws Exception {
        // node B serves discovery too: a second discovery server that names B
        HttpServer onB = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        onB.createContext("/v1/discovery", exchange -> {
            byte[] body = ("{\"url\":\"" + ws(nodeB) + "\",\"nodeId\":2}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        onB.start();
        try {
            URI onBWs = URI.create("ws://127.0.0.1:" + onB.getAddress().getPort() + "/v1/ws");
            discoveryBody = "{\"url\":\"" + ws(nodeA) + "\",\"nodeId\":1,\"nodes\":[{\"nodeId\":1,\"url\":\""
                + ws(nodeA) + "\"},{\"nodeId\":2,\"url\":\"" + onBWs + "\"}]}";
            try (ParleySession s = session(SessionOptions.defaults().withDiscovery())) {
                assertThat(s.awaitConnected(WAIT).uri()).isEqualTo(ws(nodeA));

                discovery.stop(0); // the only seed is gone, and so is node A
                nodeA.close();

                // the session asks the node it learned about, which sends it to B
                await().atMost(WAIT).until(() -> s.current().map(c -> c.uri().equals(ws(nodeB))).orElse(false));
            }
        } finally {
            onB.stop(0);
        }
    }

    @Test
    void withoutDiscoveryTheSessionConnectsToTheBaseUrlAsBefore() throws Exception {
        try (ParleyClient direct = ParleyClient.create(nodeB.baseUrl());
             ParleySession s = direct.session("user:bob", ConnectOptions.defaults())) {
            assertThat(s.awaitConnected(WAIT).uri()).isEqualTo(ws(nodeB));
            assertThat(asked.get()).isZero();
        }
    }

    @Test
    void badSeedsAreRefusedAtOnce() {
        assertThatThrownBy(() -> SessionOptions.defaults().withDiscovery(URI.create("ws://a:1/v1/ws")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws://a:1/v1/ws");
        assertThat(SessionOptions.defaults().withDiscovery().seeds()).isEqualTo(List.of());
    }
}
