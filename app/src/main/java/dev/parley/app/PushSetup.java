package dev.parley.app;

import dev.parley.push.P256;
import dev.parley.push.PushConfig;
import dev.parley.push.PushKind;
import dev.parley.push.PushTransport;
import dev.parley.push.apns.ApnsTransport;
import dev.parley.push.fcm.FcmTransport;
import dev.parley.push.webpush.Vapid;
import dev.parley.push.webpush.WebPushTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;

/** The push transports the configuration asks for: Web Push and UnifiedPush always, APNs and FCM with credentials. */
final class PushSetup {
    private final ParleyConfig config;
    private final Clock clock;
    private final Vapid vapid;

    PushSetup(ParleyConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.vapid = new Vapid(vapidKeys(), config.string("push.webpush.subject"), clock);
    }

    PushConfig pushConfig() {
        return new PushConfig(Duration.ofSeconds(config.integer("push.collapseSeconds")),
            (int) config.integer("push.queue"), (int) config.integer("push.maxAttempts"), Duration.ofSeconds(1),
            config.bool("push.allowPrivateEndpoints"), vapid.publicKey());
    }

    /** One transport per configured kind; the caller closes them (through the dispatcher). */
    Map<PushKind, PushTransport> transports(Executor blocking) {
        Map<PushKind, PushTransport> transports = new EnumMap<>(PushKind.class);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(blocking).build();
        boolean allowPrivate = config.bool("push.allowPrivateEndpoints");
        transports.put(PushKind.WEBPUSH, new WebPushTransport(PushKind.WEBPUSH, http, vapid, allowPrivate, blocking));
        transports.put(PushKind.UNIFIEDPUSH, new WebPushTransport(PushKind.UNIFIEDPUSH, http, vapid, allowPrivate,
            blocking));
        if (!config.string("push.apns.keyFile").equals("none")) {
            transports.put(PushKind.APNS, apns());
        }
        if (!config.string("push.fcm.serviceAccountFile").equals("none")) {
            String tokenUrl = config.string("push.fcm.tokenUrl");
            transports.put(PushKind.FCM, FcmTransport.fromServiceAccount(
                Path.of(config.string("push.fcm.serviceAccountFile")), URI.create(config.string("push.fcm.url")),
                tokenUrl.equals("auto") ? null : URI.create(tokenUrl), http, clock));
        }
        return transports;
    }

    private PushTransport apns() {
        String server = config.string("push.apns.server");
        String trusted = config.string("push.apns.trustedCertificate");
        String topic = config.string("push.apns.topic");
        return ApnsTransport.create(new ApnsTransport.Settings(Path.of(config.string("push.apns.keyFile")),
            required("push.apns.teamId"), required("push.apns.keyId"), topic.equals("none") ? null : topic, server,
            trusted.equals("none") ? null : Path.of(trusted)));
    }

    private String required(String key) {
        String v = config.string(key);
        if (v.equals("none")) {
            throw new ConfigException(key + ": missing (expected: set when push.apns.keyFile is)");
        }
        return v;
    }

    /** The configured VAPID key pair, else the one kept in the data directory (made on first start). */
    private KeyPair vapidKeys() {
        String configured = config.string("push.webpush.vapidKey");
        if (configured.equals("auto")) {
            configured = KeyFiles.readOrCreate(config.dataDir().resolve("vapid.key"), "VAPID key", () -> {
                KeyPair fresh = P256.generate();
                return P256.base64url(P256.encode((ECPublicKey) fresh.getPublic())) + ":"
                    + P256.base64url(P256.encode((java.security.interfaces.ECPrivateKey) fresh.getPrivate()));
            });
        }
        String[] parts = configured.split(":");
        try {
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected PUBLIC:PRIVATE");
            }
            return new KeyPair(P256.publicKey(P256.base64url(parts[0])), P256.privateKey(P256.base64url(parts[1])));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("push.webpush.vapidKey: not a P-256 key pair (expected: PUBLIC:PRIVATE,"
                + " base64url of the 65-byte public point and the 32-byte private scalar; " + e.getMessage() + ")");
        }
    }
}
