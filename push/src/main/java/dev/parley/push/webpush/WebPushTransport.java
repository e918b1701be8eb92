package dev.parley.push.webpush;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.core.Ids;
import dev.parley.push.HttpPush;
import dev.parley.push.P256;
import dev.parley.push.PrivateAddresses;
import dev.parley.push.PushKind;
import dev.parley.push.PushNotification;
import dev.parley.push.PushOutcome;
import dev.parley.push.PushRegistration;
import dev.parley.push.PushTransport;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Web Push (RFC 8030) and UnifiedPush: one POST to the subscription's endpoint. The payload (a small JSON object the
 * service worker or app turns into a notification) is encrypted per RFC 8291 when the subscription has keys (always
 * for Web Push; UnifiedPush endpoints without keys get it in clear), and the request is signed with VAPID
 * (RFC 8292). 201/200/202 delivered; 404 and 410 mean the subscription is gone; 429 and 5xx are retried.
 *
 * <p>Endpoints come from clients: unless private endpoints are allowed, an endpoint whose host resolves to a
 * loopback or private-network address is refused (and the registration dropped), so that no client can make the
 * server post into its own network.
 */
public final class WebPushTransport implements PushTransport {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the push service keeps an undelivered message: a day, like the store keeps it for sync. */
    static final Duration TTL = Duration.ofDays(1);

    private final PushKind kind;
    private final HttpClient http;
    private final Vapid vapid;
    private final boolean allowPrivateEndpoints;
    private final Executor resolver;

    /**
     * @param resolver runs the blocking DNS lookup that checks an endpoint's address
     */
    public WebPushTransport(PushKind kind, HttpClient http, Vapid vapid, boolean allowPrivateEndpoints,
                            Executor resolver) {
        if (kind != PushKind.WEBPUSH && kind != PushKind.UNIFIEDPUSH) {
            throw new IllegalArgumentException("kind: " + kind + " (expected: webpush or unifiedpush)");
        }
        this.kind = kind;
        this.http = http;
        this.vapid = vapid;
        this.allowPrivateEndpoints = allowPrivateEndpoints;
        this.resolver = resolver;
    }

    @Override
    public PushKind kind() {
        return kind;
    }

    @Override
    public CompletableFuture<PushOutcome> deliver(PushRegistration to, PushNotification n) {
        URI endpoint = URI.create(to.address());
        if (allowPrivateEndpoints) {
            return post(endpoint, to, n);
        }
        return CompletableFuture.supplyAsync(() -> resolvesPrivate(endpoint.getHost()), resolver)
            .thenCompose(isPrivate -> isPrivate
                ? CompletableFuture.completedFuture(new PushOutcome.Gone("endpoint host is not a public address"))
                : post(endpoint, to, n));
    }

    private CompletableFuture<PushOutcome> post(URI endpoint, PushRegistration to, PushNotification n) {
        byte[] payload = payload(n);
        HttpRequest.Builder req = HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(10))
            .header("TTL", Long.toString(TTL.toSeconds()))
            .header("Urgency", "high")
            .header("Topic", n.collapseKey())
            .header("Authorization", vapid.authorization(endpoint));
        if (to.encrypted()) {
            byte[] body;
            try {
                body = WebPushEncryption.encrypt(payload, P256.base64url(to.p256dh()), P256.base64url(to.auth()));
            } catch (IllegalArgumentException e) {
                // Keys checked at registration cannot get here; stored ones from elsewhere might: unusable for good.
                return CompletableFuture.completedFuture(new PushOutcome.Gone("subscription keys unusable: "
                    + e.getMessage()));
            }
            req.header("Content-Type", "application/octet-stream").header("Content-Encoding", "aes128gcm")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            req.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        }
        return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString()).thenApply(this::outcome);
    }

    private PushOutcome outcome(HttpResponse<String> res) {
        int status = res.statusCode();
        if (status >= 200 && status < 300) {
            return PushOutcome.DELIVERED;
        }
        String reason = kind.wireName() + " endpoint answered " + status + " " + HttpPush.excerpt(res.body());
        if (status == 404 || status == 410) {
            return new PushOutcome.Gone(reason);
        }
        return HttpPush.transientStatus(status) ? HttpPush.retry(res, reason) : new PushOutcome.Failed(reason);
    }

    /** What the service worker (or UnifiedPush app) gets: a JSON object with everything a notification shows. */
    static byte[] payload(PushNotification n) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "message");
        p.put("conversationId", Ids.toWire(n.conversationId()));
        p.put("seq", n.seq());
        p.put("title", n.title());
        p.put("body", n.body());
        p.put("sender", n.senderName());
        if (n.conversationTitle() != null) {
            p.put("conversationTitle", n.conversationTitle());
        }
        p.put("badge", n.badge());
        p.put("tag", n.collapseKey());
        try {
            return JSON.writeValueAsBytes(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean resolvesPrivate(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (PrivateAddresses.isPrivate(a)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return false; // the POST will fail and be retried; a name that never resolves ends as failed
        }
    }
}
