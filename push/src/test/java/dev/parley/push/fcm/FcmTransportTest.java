package dev.parley.push.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.core.Ids;
import dev.parley.push.PushKind;
import dev.parley.push.PushNotification;
import dev.parley.push.PushOutcome;
import dev.parley.push.PushRegistration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FCM HTTP v1 against a local stand-in for Google's two endpoints, which checks what they check: the OAuth2 token
 * endpoint verifies the service account's RS256 assertion (issuer, scope, audience, lifetime) with its public key;
 * the send endpoint wants a current access token and answers per registration token as FCM does.
 */
class FcmTransportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMAIL = "parley@project-1.iam.gserviceaccount.com";

    @TempDir
    Path dir;

    private HttpServer google;
    private KeyPair account;
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final Set<String> validAccessTokens = ConcurrentHashMap.newKeySet();
    private final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    private final List<String> assertionProblems = new CopyOnWriteArrayList<>();
    private FcmTransport fcm;

    @BeforeEach
    void start() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        account = g.generateKeyPair();
        google = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        google.createContext("/token", this::token);
        google.createContext("/v1/projects/project-1/messages:send", this::send);
        google.start();
        String base = "http://127.0.0.1:" + google.getAddress().getPort();
        Path file = dir.resolve("service-account.json");
        Map<String, Object> json = new HashMap<>();
        json.put("type", "service_account");
        json.put("project_id", "project-1");
        json.put("client_email", EMAIL);
        json.put("private_key", "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(account.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        json.put("token_uri", base + "/token");
        Files.writeString(file, JSON.writeValueAsString(json));
        fcm = FcmTransport.fromServiceAccount(file, URI.create(base), null, HttpClient.newHttpClient(),
            Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        google.stop(0);
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        String problem = checkAssertion(form);
        if (problem != null) {
            assertionProblems.add(problem);
            answer(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + problem + "\"}");
            return;
        }
        String access = "ya29.access-" + tokensIssued.incrementAndGet();
        validAccessTokens.add(access);
        answer(ex, 200, "{\"access_token\":\"" + access + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
    }

    private String checkAssertion(Map<String, String> form) {
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            return "grant_type";
        }
        try {
            String[] jwt = form.get("assertion").split("\\.");
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(account.getPublic());
            rs256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rs256.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
                return "signature";
            }
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(jwt[0]));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
            long now = System.currentTimeMillis() / 1000;
            if (!header.path("alg").asText().equals("RS256") || !claims.path("iss").asText().equals(EMAIL)
                || !claims.path("scope").asText().equals(FcmTransport.SCOPE)
                || !claims.path("aud").asText().endsWith("/token")
                || Math.abs(claims.path("iat").asLong() - now) > 60
                || claims.path("exp").asLong() - claims.path("iat").asLong() > 3600) {
                return "claims " + claims;
            }
            return null;
        } catch (Exception e) {
            return "malformed assertion: " + e;
        }
    }

    private void send(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !validAccessTokens.contains(auth.replace("Bearer ", ""))) {
            answer(ex, 401, "{\"error\":{\"code\":401,\"status\":\"UNAUTHENTICATED\"}}");
            return;
        }
        JsonNode message = JSON.readTree(ex.getRequestBody().readAllBytes()).get("message");
        switch (message.path("token").asText()) {
            case "gone" -> answer(ex, 404, error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"));
            case "invalid" -> answer(ex, 400, error(400, "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token", "INVALID_ARGUMENT"));
            case "busy" -> {
                ex.getResponseHeaders().add("Retry-After", "3");
                answer(ex, 429, error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", "QUOTA_EXCEEDED"));
            }
            case "broken-payload" -> answer(ex, 400, error(400, "INVALID_ARGUMENT", "Invalid value at"
                + " 'message.android.ttl'", "INVALID_ARGUMENT"));
            default -> {
                sent.add(message);
                answer(ex, 200, "{\"name\":\"projects/project-1/messages/0:1\"}");
            }
        }
    }

    private static String error(int code, String status, String message, String fcmCode) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status
            + "\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\""
            + fcmCode + "\"}]}}";
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private PushOutcome deliver(String token, PushNotification n) throws Exception {
        return fcm.deliver(new PushRegistration(1, 2, PushKind.FCM, token, null, null, null, 0), n)
            .get(10, TimeUnit.SECONDS);
    }

    @Test
    void messagesAreSentWithOneAccessTokenForMany() throws Exception {
        PushNotification n = new PushNotification(1, 2, 77, 9, null, "Alice", 3, "dinner?");

        for (int i = 0; i < 5; i++) {
            assertThat(deliver("device-token-1", n)).isInstanceOf(PushOutcome.Delivered.class);
        }

        assertThat(assertionProblems).isEmpty();
        assertThat(tokensIssued.get()).isEqualTo(1);
        assertThat(sent).hasSize(5);
        JsonNode m = sent.get(0);
        assertThat(m.get("notification").get("title").asText()).isEqualTo("Alice");
        assertThat(m.get("notification").get("body").asText()).isEqualTo("dinner?");
        assertThat(m.get("data").get("conversationId").asText()).isEqualTo(Ids.toWire(77));
        assertThat(m.get("android").get("collapse_key").asText()).isEqualTo(n.collapseKey());
        assertThat(m.get("android").get("notification").get("notification_count").asInt()).isEqualTo(3);
        assertThat(m.get("apns").get("headers").get("apns-collapse-id").asText()).isEqualTo(n.collapseKey());
    }

    @Test
    void anAccessTokenThatStoppedWorkingIsRenewedOnce() throws Exception {
        PushNotification n = new PushNotification(1, 2, 77, 9, null, "Alice", 1, null);
        assertThat(deliver("device-token-1", n)).isInstanceOf(PushOutcome.Delivered.class);
        validAccessTokens.clear(); // revoked on Google's side

        assertThat(deliver("device-token-1", n)).isInstanceOf(PushOutcome.Delivered.class);

        assertThat(tokensIssued.get()).isEqualTo(2);
    }

    @Test
    void unregisteredAndInvalidTokensAreGoneQuotaIsRetriedBadPayloadsFail() throws Exception {
        PushNotification n = new PushNotification(1, 2, 77, 9, null, "Alice", 1, null);

        assertThat(deliver("gone", n)).isInstanceOf(PushOutcome.Gone.class);
        assertThat(deliver("invalid", n)).isInstanceOf(PushOutcome.Gone.class);
        PushOutcome busy = deliver("busy", n);
        assertThat(busy).isInstanceOf(PushOutcome.Retry.class);
        assertThat(((PushOutcome.Retry) busy).after()).isEqualTo(Duration.ofSeconds(3));
        assertThat(deliver("broken-payload", n)).isInstanceOf(PushOutcome.Failed.class);
    }
}
