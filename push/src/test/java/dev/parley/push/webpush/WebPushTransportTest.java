package dev.parley.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.parley.push.P256;
import dev.parley.push.PushKind;
import dev.parley.push.PushNotification;
import dev.parley.push.PushOutcome;
import dev.parley.push.PushRegistration;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Web Push and UnifiedPush against a push service on loopback that checks what a real one checks. */
class WebPushTransportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PushNotification NOTE = new PushNotification(11, 22, 33, 4, null, "Alice", 3, "hi there");

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** Answer (status, Retry-After) per path; 201 by default. */
    private final Map<String, int[]> answers = new ConcurrentHashMap<>();
    private final java.security.KeyPair vapidKeys = P256.generate();
    private final Vapid vapid = new Vapid(vapidKeys, "mailto:ops@parley.test", Clock.systemUTC());
    private HttpServer server;
    private HttpClient http;

    record Received(String path, Map<String, String> headers, byte[] body) {
    }

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            Map<String, String> headers = new java.util.HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            received.add(new Received(ex.getRequestURI().getPath(), headers, ex.getRequestBody().readAllBytes()));
            int[] answer = answers.getOrDefault(ex.getRequestURI().getPath(), new int[] {201, -1});
            if (answer[1] >= 0) {
                ex.getResponseHeaders().add("Retry-After", Integer.toString(answer[1]));
            }
            ex.sendResponseHeaders(answer[0], -1);
            ex.close();
        });
        server.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.close();
    }

    private String endpoint(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private WebPushTransport transport(PushKind kind, boolean allowPrivate) {
        return new WebPushTransport(kind, http, vapid, allowPrivate, Executors.newVirtualThreadPerTaskExecutor());
    }

    @Test
    void webPushIsEncryptedForTheSubscriptionAndSignedWithVapid() throws Exception {
        UserAgent browser = UserAgent.fresh();
        PushRegistration sub = new PushRegistration(11, 22, PushKind.WEBPUSH, endpoint("/wpush/abc"), null,
            browser.p256dh(), browser.authSecret(), 0);

        PushOutcome outcome = transport(PushKind.WEBPUSH, true).deliver(sub, NOTE).get(10, TimeUnit.SECONDS);

        assertThat(outcome).isInstanceOf(PushOutcome.Delivered.class);
        Received r = received.poll(5, TimeUnit.SECONDS);
        assertThat(r.path()).isEqualTo("/wpush/abc");
        assertThat(r.headers()).containsEntry("content-encoding", "aes128gcm").containsEntry("ttl", "86400")
            .containsEntry("urgency", "high").containsEntry("topic", NOTE.collapseKey());
        JsonNode payload = JSON.readTree(browser.decrypt(r.body()));
        assertThat(payload.get("conversationId").asText()).isEqualTo(dev.parley.core.Ids.toWire(33));
        assertThat(payload.get("title").asText()).isEqualTo("Alice");
        assertThat(payload.get("body").asText()).isEqualTo("hi there");
        assertThat(payload.get("badge").asInt()).isEqualTo(3);
        assertVapid(r.headers().get("authorization"), "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void unifiedPushWithoutKeysGetsThePayloadInClear() throws Exception {
        PushRegistration up = new PushRegistration(11, 22, PushKind.UNIFIEDPUSH, endpoint("/up/xyz"), null, null,
            null, 0);

        PushOutcome outcome = transport(PushKind.UNIFIEDPUSH, true).deliver(up, NOTE).get(10, TimeUnit.SECONDS);

        assertThat(outcome).isInstanceOf(PushOutcome.Delivered.class);
        Received r = received.poll(5, TimeUnit.SECONDS);
        assertThat(r.headers()).doesNotContainKey("content-encoding");
        assertThat(JSON.readTree(r.body()).get("body").asText()).isEqualTo("hi there");
    }

    @Test
    void goneTransientAndRefusedAnswersAreTold() throws Exception {
        UserAgent browser = UserAgent.fresh();
        WebPushTransport t = transport(PushKind.WEBPUSH, true);
        answers.put("/gone", new int[] {410, -1});
        answers.put("/missing", new int[] {404, -1});
        answers.put("/busy", new int[] {429, 7});
        answers.put("/down", new int[] {503, -1});
        answers.put("/big", new int[] {413, -1});

        assertThat(deliver(t, "/gone", browser)).isInstanceOf(PushOutcome.Gone.class);
        assertThat(deliver(t, "/missing", browser)).isInstanceOf(PushOutcome.Gone.class);
        PushOutcome busy = deliver(t, "/busy", browser);
        assertThat(busy).isInstanceOf(PushOutcome.Retry.class);
        assertThat(((PushOutcome.Retry) busy).after()).isEqualTo(Duration.ofSeconds(7));
        assertThat(deliver(t, "/down", browser)).isInstanceOf(PushOutcome.Retry.class);
        assertThat(deliver(t, "/big", browser)).isInstanceOf(PushOutcome.Failed.class);
    }

    @Test
    void anEndpointOnAPrivateAddressIsNotPostedTo() throws Exception {
        UserAgent browser = UserAgent.fresh();

        PushOutcome outcome = deliver(transport(PushKind.WEBPUSH, false), "/internal", browser);

        assertThat(outcome).isInstanceOf(PushOutcome.Gone.class);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    private PushOutcome deliver(WebPushTransport t, String path, UserAgent ua) throws Exception {
        return t.deliver(new PushRegistration(1, 2, PushKind.WEBPUSH, endpoint(path), null, ua.p256dh(),
            ua.authSecret(), 0), NOTE).get(10, TimeUnit.SECONDS);
    }

    /** As a push service checks it (RFC 8292): ES256 over header.claims with the key in k=, aud, exp, sub. */
    private void assertVapid(String header, String audience) throws Exception {
        assertThat(header).startsWith("vapid t=");
        String jwt = header.substring(8, header.indexOf(','));
        String k = header.substring(header.indexOf("k=") + 2);
        assertThat(k).isEqualTo(vapid.publicKey());
        String[] parts = jwt.split("\\.");
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initVerify(P256.publicKey(P256.base64url(k)));
        es256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(es256.verify(P256.base64url(parts[2]))).as("signature").isTrue();
        JsonNode claims = JSON.readTree(P256.base64url(parts[1]));
        assertThat(claims.get("aud").asText()).isEqualTo(audience);
        assertThat(claims.get("sub").asText()).isEqualTo("mailto:ops@parley.test");
        long exp = claims.get("exp").asLong();
        long now = System.currentTimeMillis() / 1000;
        assertThat(exp).isGreaterThan(now).isLessThanOrEqualTo(now + 24 * 3600);
    }
}
