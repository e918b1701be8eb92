package dev.parley.testkit;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Pushy's mock APNs server on loopback, as the APNs tests use it: HTTP/2 over TLS with a certificate from a test CA
 * (written to {@link #caPem}), token authentication checked against one team's verification key, one topic, and
 * the device tokens it knows (some of them unregistered). Records what it accepted and why it rejected.
 */
public final class MockApns implements AutoCloseable {
    public static final String TEAM = "TEAM123456";
    public static final String KEY_ID = "KEY1234567";
    public static final String TOPIC = "dev.parley.app";

    /** The notifications accepted, in order. */
    public final List<ApnsPushNotification> accepted = new CopyOnWriteArrayList<>();
    /** Why notifications were rejected, in order. */
    public final List<RejectionReason> rejected = new CopyOnWriteArrayList<>();
    /** The provider's signing key: {@link #writeP8} writes it as Apple's .p8 file. */
    public final KeyPair signingKey = p256();
    private final MockApnsServer server;
    private final Path caPem;
    private final int port;

    /**
     * @param dir          where the CA certificate is written
     * @param tokens       the device tokens of {@link #TOPIC} it knows
     * @param unregistered those of them that were unregistered a minute ago
     */
    public MockApns(Path dir, Set<String> tokens, Set<String> unregistered) throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=Test APNs CA").setIsCertificateAuthority(true).ecp256()
            .buildSelfSigned();
        X509Bundle tls = new CertificateBuilder().subject("CN=127.0.0.1").addSanIpAddress("127.0.0.1").ecp256()
            .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
        caPem = Files.writeString(dir.resolve("apns-ca.pem"), ca.getCertificatePEM());
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM, (ECPublicKey) signingKey.getPublic());
        Set<String> all = new HashSet<>(tokens);
        all.addAll(unregistered);
        Map<String, Instant> expired = new java.util.HashMap<>();
        unregistered.forEach(t -> expired.put(t, Instant.now().minusSeconds(60)));
        server = new MockApnsServerBuilder()
            .setServerCredentials(tls.getCertificatePath(), tls.getKeyPair().getPrivate(), null)
            .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(Map.of(TOPIC, all), expired,
                Map.of(KEY_ID, verification), Map.of(verification, Set.of(TOPIC))))
            .setListener(new ParsingMockApnsServerListenerAdapter() {
                @Override
                public void handlePushNotificationAccepted(ApnsPushNotification n) {
                    accepted.add(n);
                }

                @Override
                public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason reason,
                                                           Instant invalidated) {
                    rejected.add(reason);
                }
            })
            .build();
        port = server.start(0).get(10, TimeUnit.SECONDS);
    }

    /** {@code 127.0.0.1:PORT}, as {@code push.apns.server} takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The PEM file of the CA that issued the server's certificate ({@code push.apns.trustedCertificate}). */
    public Path caPem() {
        return caPem;
    }

    /** Writes a key's private part as an Apple .p8 file (PKCS#8 PEM). */
    public static Path writeP8(Path file, KeyPair key) throws java.io.IOException {
        return Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    /** A fresh P-256 key pair (another provider's key, in tests of a wrong one). */
    public static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get(10, TimeUnit.SECONDS);
    }
}
