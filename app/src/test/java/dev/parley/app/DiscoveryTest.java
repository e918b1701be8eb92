package dev.parley.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.testkit.RedisExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/discovery} on real servers: one node alone, and two nodes sharing a real Redis. */
@ExtendWith(RedisExtension.class)
class DiscoveryTest {
    private static final Duration T = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;
    private final String prefix = "d" + UUID.randomUUID() + ":";
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        RedisExtension.server().launch(); // in case a test left it stopped
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private ParleyServer server(int nodeId, Map<String, String> extra) throws InterruptedException {
        Map<String, String> s = new HashMap<>(Map.of(
            "server.host", "127.0.0.1",
            "server.port", "0",
            "server.nodeId", Integer.toString(nodeId),
            "dataDir", dir.resolve("node" + nodeId).toString(),
            "accounts.argon2.memoryKib", "1024",
            "accounts.argon2.iterations", "1"));
        s.putAll(extra);
        ParleyServer server = ParleyServer.start(ParleyConfig.of(s));
        open.add(server);
        return server;
    }

    private ParleyServer redisNode(int nodeId) throws InterruptedException {
        return server(nodeId, Map.of("nodes.type", "redis", "nodes.uri", RedisExtension.server().uri().toString(),
            "nodes.keyPrefix", prefix, "nodes.ttlSeconds", "2", "nodes.heartbeatMillis", "200"));
    }

    private static String wsUrl(ParleyServer s) {
        return "ws://127.0.0.1:" + s.port() + "/v1/ws";
    }

    private static HttpResponse<String> get(ParleyServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode discover(ParleyServer s) throws Exception {
        HttpResponse<String> r = get(s, "/v1/discovery");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static List<Integer> nodeIds(JsonNode answer) {
        List<Integer> ids = new ArrayList<>();
        answer.get("nodes").forEach(n -> ids.add(n.get("nodeId").asInt()));
        return ids;
    }

    /** {@code n} authenticated WebSocket connections to {@code s}, of a user registered there. */
    private void load(ParleyServer s, int n) {
        ParleyClient client = ParleyClient.create(URI.create("http://127.0.0.1:" + s.port()));
        open.add(client);
        String name = "u" + UUID.randomUUID().toString().substring(0, 8);
        client.register(name, "correct horse battery", null);
        Credentials c = client.login(name, "correct horse battery", null);
        for (int i = 0; i < n; i++) {
            ParleyConnection conn = client.connect(c.token()).join();
            open.add(conn);
        }
    }

    @Test
    void aSingleNodeAnswersItselfWithoutAuthenticationAndUncached() throws Exception {
        ParleyServer s = server(5, Map.of());

        HttpResponse<String> r = get(s, "/v1/discovery");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("url").asText()).isEqualTo(wsUrl(s));
        assertThat(answer.get("nodeId").asInt()).isEqualTo(5);
        assertThat(answer.get("nodes")).hasSize(1);
        assertThat(answer.get("nodes").get(0).get("url").asText()).isEqualTo(wsUrl(s));
        // only GET
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
            + "/v1/discovery")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void withoutAConfiguredUrlANodeAnswersItselfAsTheClientReachedIt() throws Exception {
        ParleyServer s = server(1, Map.of());

        String answer = rawGet(s.port(), "chat.example.org", "https");

        assertThat(JSON.readTree(answer).get("url").asText()).isEqualTo("wss://chat.example.org/v1/ws");
    }

    @Test
    void aConfiguredPublicUrlIsAnsweredAsItIs() throws Exception {
        ParleyServer s = server(1, Map.of("server.publicUrl", "wss://n1.chat.example.org/v1/ws"));

        assertThat(discover(s).get("url").asText()).isEqualTo("wss://n1.chat.example.org/v1/ws");
        assertThat(JSON.readTree(rawGet(s.port(), "other.example.org", "https")).get("url").asText())
            .isEqualTo("wss://n1.chat.example.org/v1/ws");
    }

    @Test
    void twoNodesAnswerTheLessLoadedOneAndAClosedNodeIsGoneAtOnce() throws Exception {
        ParleyServer a = redisNode(1);
        ParleyServer b = redisNode(2);
        await().atMost(T).until(() -> nodeIds(discover(a)).size() == 2 && nodeIds(discover(b)).size() == 2);

        load(a, 5);

        // both nodes send clients to b once a's heartbeat told them about its connections
        for (ParleyServer asked : List.of(a, b)) {
            await().atMost(T).untilAsserted(() -> {
                JsonNode answer = discover(asked);
                assertThat(answer.get("nodeId").asInt()).isEqualTo(2);
                assertThat(answer.get("url").asText()).isEqualTo(wsUrl(b));
                assertThat(nodeIds(answer)).containsExactly(2, 1); // best first
            });
        }

        b.close();

        JsonNode answer = discover(a);
        assertThat(answer.get("nodeId").asInt()).isEqualTo(1);
        assertThat(nodeIds(answer)).containsExactly(1);
    }

    @Test
    void aCrashedNodeDropsOutWithinTheTtl() throws Exception {
        ParleyServer a = redisNode(1);
        load(a, 5); // a is the busier one: b would be chosen while it lives
        // b dies without a clean stop: its entry stays until it expires (played by a third Redis client below)
        try (var redis = io.lettuce.core.RedisClient.create(RedisExtension.server().uri().toString());
             var c = redis.connect()) {
            long now = System.currentTimeMillis();
            c.sync().hset(prefix + "nodes", "2", (now + 2000) + "," + now + ",0,0.0,ws://127.0.0.1:1/v1/ws");
            await().atMost(T).until(() -> discover(a).get("nodeId").asInt() == 2);

            long t0 = System.nanoTime();
            await().atMost(T).pollInterval(Duration.ofMillis(50)).until(() -> nodeIds(discover(a)).equals(List.of(1)));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
        }
    }

    @Test
    void whenRedisIsDownANodeAnswersItself() throws Exception {
        ParleyServer a = redisNode(1);
        ParleyServer b = redisNode(2);
        load(a, 5);
        await().atMost(T).until(() -> discover(a).get("nodeId").asInt() == 2);

        RedisExtension.server().stop();
        try {
            await().atMost(T).untilAsserted(() -> {
                JsonNode answer = discover(a);
                assertThat(answer.get("nodeId").asInt()).isEqualTo(1);
                assertThat(answer.get("url").asText()).isEqualTo(wsUrl(a));
                assertThat(nodeIds(answer)).containsExactly(1);
            });
        } finally {
            RedisExtension.server().launch();
        }
        // and the cluster view is back after a heartbeat
        await().atMost(T).until(() -> discover(a).get("url").asText().equals(wsUrl(b)));
    }

    /** A GET of /v1/discovery with the given Host and X-Forwarded-Proto (the JDK's client will not set Host). */
    private static String rawGet(int port, String host, String proto) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/discovery HTTP/1.1\r\nHost: " + host + "\r\nX-Forwarded-Proto: " + proto
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200");
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }
}
