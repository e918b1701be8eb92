package dev.parley.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.core.Ids;
import dev.parley.push.HttpPush;
import dev.parley.push.PushKind;
import dev.parley.push.PushNotification;
import dev.parley.push.PushOutcome;
import dev.parley.push.PushRegistration;
import dev.parley.push.PushTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Firebase Cloud Messaging HTTP v1: {@code POST /v1/projects/{project}/messages:send} with an OAuth2 access token
 * that a service account obtains by a signed JWT (RS256) at its token URI, cached until five minutes before it
 * expires and renewed once for all concurrent sends. The message has a notification (title, body), the same data as
 * the other transports, Android's {@code collapse_key}/tag and notification count, and APNs' collapse id and badge
 * for iOS apps on FCM. UNREGISTERED, an invalid token and a token of another sender mean the registration is gone;
 * 429 and 5xx are retried (after Retry-After); a 401 renews the access token and retries.
 */
public final class FcmTransport implements PushTransport {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private final URI sendUrl;
    private final URI tokenUrl;
    private final String clientEmail;
    private final PrivateKey key;
    private final HttpClient http;
    private final Clock clock;
    private CompletableFuture<AccessToken> token;

    FcmTransport(String projectId, String clientEmail, PrivateKey key, URI apiBase, URI tokenUrl, HttpClient http,
                 Clock clock) {
        this.sendUrl = URI.create(apiBase.toString().replaceAll("/+$", "") + "/v1/projects/"
            + URLEncoder.encode(projectId, StandardCharsets.UTF_8) + "/messages:send");
        this.tokenUrl = tokenUrl;
        this.clientEmail = clientEmail;
        this.key = key;
        this.http = http;
        this.clock = clock;
    }

    /**
     * @param tokenUrl the OAuth2 token endpoint, or {@code null} for the service account's {@code token_uri}
     */
    public static FcmTransport fromServiceAccount(Path file, URI apiBase, URI tokenUrl, HttpClient http,
                                                  Clock clock) {
        try {
            JsonNode account = JSON.readTree(Files.readString(file));
            String project = field(account, "project_id", file);
            String email = field(account, "client_email", file);
            String pem = field(account, "private_key", file);
            URI tokenUri = tokenUrl != null ? tokenUrl : URI.create(field(account, "token_uri", file));
            return new FcmTransport(project, email, rsaKey(pem), apiBase, tokenUri, http, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("FCM: cannot read the service account " + file, e);
        }
    }

    @Override
    public PushKind kind() {
        return PushKind.FCM;
    }

    @Override
    public CompletableFuture<PushOutcome> deliver(PushRegistration to, PushNotification n) {
        return accessToken().thenCompose(token -> send(token, to, n).thenCompose(res -> {
            if (res.statusCode() != 401) {
                return CompletableFuture.completedFuture(outcome(res));
            }
            invalidate(token); // revoked or expired early: renew once
            return accessToken().thenCompose(fresh -> send(fresh, to, n)).thenApply(again -> again.statusCode() == 401
                ? new PushOutcome.Failed("FCM refused a fresh access token (401): check the service account")
                : outcome(again));
        }));
    }

    private CompletableFuture<HttpResponse<String>> send(AccessToken t, PushRegistration to, PushNotification n) {
        HttpRequest req = HttpRequest.newBuilder(sendUrl).timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + t.value())
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofByteArray(message(to.address(), n)))
            .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    static PushOutcome outcome(HttpResponse<String> res) {
        int status = res.statusCode();
        if (status == 200) {
            return PushOutcome.DELIVERED;
        }
        String errorCode = "";
        String message = "";
        try {
            JsonNode error = JSON.readTree(res.body()).path("error");
            message = error.path("message").asText("");
            errorCode = error.path("status").asText("");
            for (JsonNode d : error.path("details")) {
                if (d.has("errorCode")) {
                    errorCode = d.get("errorCode").asText();
                }
            }
        } catch (IOException | RuntimeException notJson) {
            message = HttpPush.excerpt(res.body());
        }
        String reason = "FCM answered " + status + " " + errorCode + " " + message;
        if (errorCode.equals("UNREGISTERED") || errorCode.equals("SENDER_ID_MISMATCH") || status == 404
            || errorCode.equals("INVALID_ARGUMENT") && message.toLowerCase().contains("registration token")) {
            return new PushOutcome.Gone(reason);
        }
        return HttpPush.transientStatus(status) ? HttpPush.retry(res, reason) : new PushOutcome.Failed(reason);
    }

    byte[] message(String token, PushNotification n) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "message");
        data.put("conversationId", Ids.toWire(n.conversationId()));
        data.put("seq", Long.toString(n.seq()));
        data.put("badge", Integer.toString(n.badge()));
        data.put("sender", n.senderName());
        Map<String, Object> androidNotification = new LinkedHashMap<>();
        androidNotification.put("tag", n.collapseKey());
        androidNotification.put("notification_count", n.badge());
        Map<String, Object> android = new LinkedHashMap<>();
        android.put("collapse_key", n.collapseKey());
        android.put("priority", "HIGH");
        android.put("ttl", "86400s");
        android.put("notification", androidNotification);
        Map<String, Object> apns = Map.of("headers", Map.of("apns-collapse-id", n.collapseKey()),
            "payload", Map.of("aps", Map.of("badge", n.badge(), "thread-id", n.collapseKey())));
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("token", token);
        message.put("notification", Map.of("title", n.title(), "body", n.body()));
        message.put("data", data);
        message.put("android", android);
        message.put("apns", apns);
        try {
            return JSON.writeValueAsBytes(Map.of("message", message));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached access token, or one renewal shared by every caller that needs it now. */
    private synchronized CompletableFuture<AccessToken> accessToken() {
        if (token == null || token.isCompletedExceptionally()
            || token.isDone() && token.join().expiresAt() - RENEW_BEFORE.toMillis() <= clock.millis()) {
            token = fetchToken();
        }
        return token;
    }

    private synchronized void invalidate(AccessToken stale) {
        if (token != null && token.isDone() && !token.isCompletedExceptionally() && token.join() == stale) {
            token = null;
        }
    }

    private CompletableFuture<AccessToken> fetchToken() {
        long now = clock.millis();
        String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer",
            StandardCharsets.UTF_8) + "&assertion=" + URLEncoder.encode(assertion(now), StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(tokenUrl).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(res -> {
            if (res.statusCode() != 200) {
                throw new IllegalStateException("FCM: the token endpoint answered " + res.statusCode() + " "
                    + HttpPush.excerpt(res.body()));
            }
            try {
                JsonNode body = JSON.readTree(res.body());
                String value = body.path("access_token").asText(null);
                if (value == null) {
                    throw new IllegalStateException("FCM: no access_token in the token endpoint's answer");
                }
                return new AccessToken(value, now + body.path("expires_in").asLong(3600) * 1000);
            } catch (IOException e) {
                throw new IllegalStateException("FCM: the token endpoint's answer is not JSON", e);
            }
        });
    }

    /** The service account's signed request for an access token (RFC 7523). */
    String assertion(long nowMillis) {
        long iat = nowMillis / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", clientEmail);
        claims.put("scope", SCOPE);
        claims.put("aud", tokenUrl.toString());
        claims.put("iat", iat);
        claims.put("exp", iat + 3600);
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String input = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("FCM: cannot sign the token request", e);
        }
    }

    static PrivateKey rsaKey(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("FCM: private_key is not a PKCS#8 RSA key", e);
        }
    }

    private static String field(JsonNode account, String name, Path file) {
        String v = account.path(name).asText(null);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("FCM: " + file + " has no " + name + " (expected: a service account"
                + " JSON from the Firebase console)");
        }
        return v;
    }

    private record AccessToken(String value, long expiresAt) {
    }
}
