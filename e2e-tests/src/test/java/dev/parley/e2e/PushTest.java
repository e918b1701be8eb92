package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.parley.client.ParleyConnection;
import dev.parley.client.RawResponse;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push triggering end to end: devices register a UnifiedPush endpoint served on loopback (which records every POST
 * it gets), and the rules are checked on what arrives there.
 */
class PushTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QUIET = Duration.ofMillis(1500);

    @TempDir
    Path dir;

    private HttpServer endpoint;
    /** POSTed payloads per path. */
    private final Map<String, BlockingQueue<JsonNode>> pushes = new ConcurrentHashMap<>();
    /** Status to answer per path (default 201). */
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            pushes.computeIfAbsent(path, p -> new LinkedBlockingQueue<>())
                .add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(answers.getOrDefault(path, 201), -1);
            ex.close();
        });
        endpoint.start();
        server = new TestServer(dir, Map.of("push.allowPrivateEndpoints", "true", "push.collapseSeconds", "2"));
    }

    @AfterEach
    void stop() {
        server.close();
        endpoint.stop(0);
    }

    /** Registers the user's device for UnifiedPush at a path of the local endpoint. */
    private String register(TestServer.User u) {
        String path = "/up/" + u.username();
        server.client().registerPush(u.token(), Map.of("kind", "unifiedpush",
            "endpoint", "http://127.0.0.1:" + endpoint.getAddress().getPort() + path));
        return path;
    }

    private JsonNode next(String path, Duration within) throws InterruptedException {
        return pushes.computeIfAbsent(path, p -> new LinkedBlockingQueue<>()).poll(within.toMillis(),
            TimeUnit.MILLISECONDS);
    }

    @Test
    void anOfflineDeviceIsWokenAndAnOnlineOneIsNot() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        String bobs = register(bob);
        ParleyConnection a = server.connectSynced(alice);

        var sent = a.sendToUser(bob.id(), "see you at 8").get(5, TimeUnit.SECONDS);

        JsonNode push = next(bobs, T);
        assertThat(push).as("push to offline bob").isNotNull();
        assertThat(push.get("conversationId").asText()).isEqualTo(sent.conversationId());
        assertThat(push.get("seq").asLong()).isEqualTo(sent.seq());
        assertThat(push.get("title").asText()).isEqualTo("alice");
        assertThat(push.get("body").asText()).as("no preview by default").isEqualTo("New message from alice");
        assertThat(push.get("badge").asInt()).isEqualTo(1);

        // Online: the connection delivers, no push. (Wait out the collapse window first.)
        Thread.sleep(2200);
        assertThat(next(bobs, Duration.ZERO)).isNull();
        ParleyConnection b = server.connectSynced(bob);
        a.sendToUser(bob.id(), "are you there?").get(5, TimeUnit.SECONDS);
        assertThat(b.awaitFrame(dev.parley.protocol.ServerFrame.Message.class, T).body()).isNotNull();
        assertThat(next(bobs, QUIET)).isNull();

        // The sender's own offline devices are not woken by their own messages.
        var alicesPhone = server.anotherDevice(alice);
        server.client().registerPush(alicesPhone.token(), Map.of("kind", "unifiedpush",
            "endpoint", "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/up/alices-phone"));
        a.sendToUser(bob.id(), "one more").get(5, TimeUnit.SECONDS);
        assertThat(next("/up/alices-phone", QUIET)).isNull();
    }

    @Test
    void aBurstGivesOnePushPerCollapseWindowAndTheLastCarriesTheNewestState() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        String bobs = register(bob);
        ParleyConnection a = server.connectSynced(alice);

        List<Long> seqs = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            seqs.add(a.sendToUser(bob.id(), "burst " + i).get(5, TimeUnit.SECONDS).seq());
        }

        JsonNode first = next(bobs, T);
        JsonNode windowEnd = next(bobs, Duration.ofSeconds(5));
        assertThat(first).isNotNull();
        assertThat(windowEnd).as("one more at the end of the window").isNotNull();
        assertThat(next(bobs, Duration.ofMillis(2500))).as("nothing after").isNull();
        assertThat(windowEnd.get("tag").asText()).isEqualTo(first.get("tag").asText());
        assertThat(windowEnd.get("seq").asLong()).isEqualTo(seqs.get(19));
        assertThat(windowEnd.get("badge").asInt()).isEqualTo(20);
    }

    @Test
    void previewsOnlyWhenAllowedAndNothingForAMutedConversation() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        String bobs = register(bob);
        ParleyConnection a = server.connectSynced(alice);

        server.client().setPushPreviews(bob.token(), true);
        String longText = "x".repeat(150);
        var sent = a.sendToUser(bob.id(), longText).get(5, TimeUnit.SECONDS);
        assertThat(next(bobs, T).get("body").asText()).isEqualTo("x".repeat(100) + "…");

        Thread.sleep(2200); // the collapse window ends (with one more push for nothing newer: none)
        pushes.get(bobs).clear();
        server.client().mute(bob.token(), sent.conversationId(), System.currentTimeMillis() + 60_000);
        a.sendToUser(bob.id(), "muted").get(5, TimeUnit.SECONDS);
        assertThat(next(bobs, QUIET)).as("muted").isNull();
        assertThat(server.client().conversations(bob.token()).get(0).mutedUntil()).isNotNull();

        server.client().unmute(bob.token(), sent.conversationId());
        a.sendToUser(bob.id(), "unmuted").get(5, TimeUnit.SECONDS);
        assertThat(next(bobs, T).get("body").asText()).isEqualTo("unmuted");
    }

    @Test
    void offlineGroupMembersArePushedWithTheGroupsName() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        var carol = server.newUser("carol");
        String bobs = register(bob);
        String carols = register(carol);
        var group = server.client().createGroup(alice.token(), "Climbing", List.of(bob.id(), carol.id()));
        ParleyConnection c = server.connectSynced(carol);
        ParleyConnection a = server.connectSynced(alice);

        a.sendToConversation(group.conversationId(), "rope?").get(5, TimeUnit.SECONDS);

        JsonNode push = next(bobs, T);
        assertThat(push.get("title").asText()).isEqualTo("alice @ Climbing");
        assertThat(push.get("conversationTitle").asText()).isEqualTo("Climbing");
        assertThat(next(carols, QUIET)).as("carol is online").isNull();
        c.close();
    }

    @Test
    void aChannelThePushServiceCallsGoneIsRemovedAndALoggedOutDeviceGetsNothing() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        var carol = server.newUser("carol");
        String bobs = register(bob);
        String carols = register(carol);
        answers.put(bobs, 410);
        ParleyConnection a = server.connectSynced(alice);

        a.sendToUser(bob.id(), "first").get(5, TimeUnit.SECONDS);
        assertThat(next(bobs, T)).isNotNull();
        await().atMost(T).until(() -> metric("kind=\"unifiedpush\",outcome=\"removed\"") >= 1);
        Thread.sleep(2200);
        a.sendToUser(bob.id(), "second").get(5, TimeUnit.SECONDS);
        assertThat(next(bobs, QUIET)).as("channel removed").isNull();

        server.client().logout(carol.token());
        a.sendToUser(carol.id(), "are you there?").get(5, TimeUnit.SECONDS);
        assertThat(next(carols, QUIET)).as("logged out").isNull();
    }

    @Test
    void badRegistrationsAreRefusedWithTheFieldNamed() throws Exception {
        var bob = server.newUser("bob");
        assertThat(put(bob, "{\"kind\":\"carrier-pigeon\"}")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("kind");
        });
        assertThat(put(bob, "{\"kind\":\"apns\",\"token\":\"not-hex\"}").body()).contains("token");
        assertThat(put(bob, "{\"kind\":\"fcm\"}").body()).contains("token");
        assertThat(put(bob, "{\"kind\":\"webpush\",\"endpoint\":\"https://push.example/x\"}").body())
            .contains("keys");
        assertThat(put(bob, "{\"kind\":\"webpush\",\"endpoint\":\"https://push.example/x\","
            + "\"keys\":{\"p256dh\":\"AAAA\",\"auth\":\"AAAA\"}}").body()).contains("keys.p256dh");
        byte[] offCurve = new byte[65];
        offCurve[0] = 4; // the right shape, but (0, 0) is not a point of P-256: every push to it would fail
        assertThat(put(bob, "{\"kind\":\"webpush\",\"endpoint\":\"https://push.example/x\",\"keys\":{\"p256dh\":\""
            + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(offCurve)
            + "\",\"auth\":\"AAAAAAAAAAAAAAAAAAAAAA\"}}").body()).contains("keys.p256dh");
        assertThat(put(bob, "{\"kind\":\"unifiedpush\",\"endpoint\":\"ftp://x/y\"}").body()).contains("endpoint");
        assertThat(server.client().rawRequest("PUT", "/v1/devices/current/push", null,
            "{\"kind\":\"fcm\",\"token\":\"abc\"}").status()).isEqualTo(401);
        assertThat(put(bob, "{\"kind\":\"fcm\",\"token\":\"abc:def_123\"}").status()).isEqualTo(204);
        assertThat(server.client().rawRequest("PUT", "/v1/me/settings", bob.token(), "{\"pushPreviews\":\"yes\"}")
            .status()).isEqualTo(400);
    }

    @Test
    void muteIsForMembersOnly() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        var mallory = server.newUser("mallory");
        ParleyConnection a = server.connectSynced(alice);
        String conv = a.sendToUser(bob.id(), "hi").get(5, TimeUnit.SECONDS).conversationId();

        RawResponse r = server.client().rawRequest("PUT", "/v1/conversations/" + conv + "/mute", mallory.token(),
            "{\"until\":\"forever\"}");

        assertThat(r.status()).isEqualTo(403);
        assertThat(server.client().rawRequest("PUT", "/v1/conversations/" + conv + "/mute", bob.token(),
            "{\"until\":\"soon\"}").status()).isEqualTo(400);
        assertThat(server.client().rawRequest("PUT", "/v1/conversations/" + conv + "/mute", bob.token(),
            "{\"until\":\"forever\"}").status()).isEqualTo(204);
    }

    private RawResponse put(TestServer.User u, String body) {
        return server.client().rawRequest("PUT", "/v1/devices/current/push", u.token(), body);
    }

    private double metric(String labels) {
        String text = server.client().rawRequest("GET", "/metrics", null, null).body();
        for (String line : text.split("\n")) {
            if (line.startsWith("parley_push_total{") && line.contains(labels)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
