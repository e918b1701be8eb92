package dev.parley.push.apns;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.core.Ids;
import dev.parley.push.PushKind;
import dev.parley.push.PushNotification;
import dev.parley.push.PushOutcome;
import dev.parley.push.PushRegistration;
import dev.parley.push.PushTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * APNs over HTTP/2 with token (JWT, .p8 key) authentication, through Pushy. Alerts carry title, body, badge and a
 * thread id; {@code apns-collapse-id} is the conversation's, so a burst shows as one notification. Unregistered or bad
 * tokens (and tokens of another app) mean the registration is gone; 429 and 5xx are retried.
 */
public final class ApnsTransport implements PushTransport {
    private static final Logger log = LoggerFactory.getLogger(ApnsTransport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> GONE = Set.of("Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic",
        "ExpiredToken");
    /** How long APNs keeps trying an offline device. */
    static final Duration EXPIRY = Duration.ofDays(1);

    /**
     * @param server             {@code production}, {@code sandbox} or {@code host:port}
     * @param trustedCertificate PEM of the server's CA instead of the JDK's trust store, or {@code null}
     * @param defaultTopic       the bundle id for devices registered without a topic, or {@code null}
     */
    public record Settings(Path keyFile, String teamId, String keyId, String defaultTopic, String server,
                           Path trustedCertificate) {
    }

    private final ApnsClient client;
    private final String defaultTopic;

    ApnsTransport(ApnsClient client, String defaultTopic) {
        this.client = client;
        this.defaultTopic = defaultTopic;
    }

    public static ApnsTransport create(Settings s) {
        try {
            ApnsClientBuilder b = new ApnsClientBuilder()
                .setSigningKey(ApnsSigningKey.loadFromPkcs8File(s.keyFile().toFile(), s.teamId(), s.keyId()));
            switch (s.server()) {
                case "production" -> b.setApnsServer(ApnsClientBuilder.PRODUCTION_APNS_HOST);
                case "sandbox" -> b.setApnsServer(ApnsClientBuilder.DEVELOPMENT_APNS_HOST);
                default -> {
                    int colon = s.server().lastIndexOf(':');
                    if (colon < 1) {
                        throw new IllegalArgumentException("push.apns.server: \"" + s.server()
                            + "\" (expected: production, sandbox or HOST:PORT)");
                    }
                    b.setApnsServer(s.server().substring(0, colon), Integer.parseInt(s.server().substring(colon + 1)));
                }
            }
            if (s.trustedCertificate() != null) {
                b.setTrustedServerCertificateChain(s.trustedCertificate().toFile());
            }
            return new ApnsTransport(b.build(), s.defaultTopic());
        } catch (IOException e) {
            throw new UncheckedIOException("APNs: cannot read " + s.keyFile(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("APNs: " + s.keyFile() + " is not a .p8 signing key: "
                + e.getMessage(), e);
        }
    }

    @Override
    public PushKind kind() {
        return PushKind.APNS;
    }

    @Override
    public CompletableFuture<PushOutcome> deliver(PushRegistration to, PushNotification n) {
        String topic = to.topic() != null ? to.topic() : defaultTopic;
        if (topic == null) {
            return CompletableFuture.completedFuture(new PushOutcome.Failed(
                "no topic: the device registered none and push.apns.topic is not set"));
        }
        SimpleApnsPushNotification push = new SimpleApnsPushNotification(to.address(), topic, payload(n),
            Instant.now().plus(EXPIRY), DeliveryPriority.IMMEDIATE, PushType.ALERT, n.collapseKey());
        return client.sendNotification(push).handle((response, error) -> error != null
            ? new PushOutcome.Retry(null, "APNs: " + error) : outcome(response));
    }

    static PushOutcome outcome(PushNotificationResponse<?> response) {
        if (response.isAccepted()) {
            return PushOutcome.DELIVERED;
        }
        String reason = response.getRejectionReason().orElse("unknown");
        String text = "APNs answered " + response.getStatusCode() + " " + reason;
        if (GONE.contains(reason) || response.getStatusCode() == 410) {
            return new PushOutcome.Gone(text);
        }
        int status = response.getStatusCode();
        return status == 429 || status >= 500 ? new PushOutcome.Retry(null, text) : new PushOutcome.Failed(text);
    }

    static String payload(PushNotification n) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("title", n.title());
        alert.put("body", n.body());
        Map<String, Object> aps = new LinkedHashMap<>();
        aps.put("alert", alert);
        aps.put("badge", n.badge());
        aps.put("sound", "default");
        aps.put("thread-id", n.collapseKey());
        aps.put("mutable-content", 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aps", aps);
        body.put("conversationId", Ids.toWire(n.conversationId()));
        body.put("seq", n.seq());
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            client.close().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("closing the APNs client did not finish cleanly", e);
        }
    }
}
