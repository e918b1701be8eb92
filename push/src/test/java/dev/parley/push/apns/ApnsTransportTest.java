package dev.parley.push.apns;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.push.PushKind;
import dev.parley.push.PushNotification;
import dev.parley.push.PushOutcome;
import dev.parley.push.PushRegistration;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * APNs against Pushy's mock APNs server: a real HTTP/2 server over TLS that checks the provider token (the JWT
 * signed with the .p8 key) against the team's verification key, the topic, and the device tokens it knows.
 */
class ApnsTransportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEAM = "TEAM123456";
    private static final String KEY_ID = "KEY1234567";
    private static final String TOPIC = "dev.parley.app";
    private static final String GOOD = "a1".repeat(32);
    private static final String UNREGISTERED = "b2".repeat(32);
    private static final String UNKNOWN = "c3".repeat(32);

    @TempDir
    Path dir;

    private MockApnsServer server;
    private int port;
    private Path trustedCa;
    private KeyPair signing;
    private final List<ApnsPushNotification> accepted = new CopyOnWriteArrayList<>();
    private final List<RejectionReason> rejected = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=Test APNs CA").setIsCertificateAuthority(true).ecp256()
            .buildSelfSigned();
        X509Bundle tls = new CertificateBuilder().subject("CN=127.0.0.1").addSanIpAddress("127.0.0.1")
            .addSanDnsName("localhost").ecp256().addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
        trustedCa = Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
        signing = p256();
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM, (ECPublicKey) signing.getPublic());
        server = new MockApnsServerBuilder()
            .setServerCredentials(tls.getCertificatePath(), tls.getKeyPair().getPrivate(), null)
            .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(
                Map.of(TOPIC, Set.of(GOOD, UNREGISTERED)),
                Map.of(UNREGISTERED, Instant.now().minusSeconds(60)),
                Map.of(KEY_ID, verification),
                Map.of(verification, Set.of(TOPIC))))
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

    @AfterEach
    void stop() throws Exception {
        server.shutdown().get(10, TimeUnit.SECONDS);
    }

    private ApnsTransport transport(KeyPair key) throws Exception {
        Path p8 = dir.resolve("AuthKey_" + System.nanoTime() + ".p8");
        Files.writeString(p8, "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return ApnsTransport.create(new ApnsTransport.Settings(p8, TEAM, KEY_ID, TOPIC, "127.0.0.1:" + port,
            trustedCa));
    }

    private static PushRegistration device(String token) {
        return new PushRegistration(1, 2, PushKind.APNS, token, null, null, null, 0);
    }

    @Test
    void aNotificationIsDeliveredWithAlertBadgeAndTheConversationsCollapseId() throws Exception {
        try (ApnsTransport apns = transport(signing)) {
            PushNotification first = new PushNotification(1, 2, 77, 5, "Climbing", "Alice", 4, null);
            PushNotification second = new PushNotification(1, 2, 77, 6, "Climbing", "Alice", 5, null);

            assertThat(apns.deliver(device(GOOD), first).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Delivered.class);
            assertThat(apns.deliver(device(GOOD), second).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Delivered.class);

            assertThat(accepted).hasSize(2);
            ApnsPushNotification n = accepted.get(0);
            assertThat(n.getTopic()).isEqualTo(TOPIC);
            assertThat(n.getCollapseId()).as("a burst collapses").isEqualTo(first.collapseKey())
                .isEqualTo(accepted.get(1).getCollapseId());
            JsonNode aps = JSON.readTree(n.getPayload()).get("aps");
            assertThat(aps.get("alert").get("title").asText()).isEqualTo("Alice @ Climbing");
            assertThat(aps.get("alert").get("body").asText()).isEqualTo("New message from Alice in Climbing");
            assertThat(aps.get("badge").asInt()).isEqualTo(4);
        }
    }

    @Test
    void anUnregisteredOrUnknownTokenIsGone() throws Exception {
        try (ApnsTransport apns = transport(signing)) {
            PushNotification n = new PushNotification(1, 2, 77, 5, null, "Alice", 1, "hi");

            assertThat(apns.deliver(device(UNREGISTERED), n).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Gone.class);
            assertThat(apns.deliver(device(UNKNOWN), n).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Gone.class);
            assertThat(rejected).containsExactly(RejectionReason.UNREGISTERED, RejectionReason.DEVICE_TOKEN_NOT_FOR_TOPIC);
            assertThat(accepted).isEmpty();
        }
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefusedAndNotBlamedOnTheDevice() throws Exception {
        try (ApnsTransport apns = transport(p256())) {
            PushOutcome outcome = apns.deliver(device(GOOD), new PushNotification(1, 2, 77, 5, null, "Alice", 1, null))
                .get(10, TimeUnit.SECONDS);

            assertThat(outcome).isInstanceOf(PushOutcome.Failed.class);
            assertThat(((PushOutcome.Failed) outcome).reason()).contains("InvalidProviderToken");
            assertThat(accepted).isEmpty();
        }
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
