package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.client.ParleyConnection;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path to APNs: a server configured with a .p8 key, team and key id and a test APNs host pushes to
 * Pushy's mock APNs server (HTTP/2 over TLS, validating the provider token, topic and device tokens).
 */
class ApnsPushTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEAM = "TEAM123456";
    private static final String KEY_ID = "KEY1234567";
    private static final String TOPIC = "dev.parley.app";
    private static final String BOBS_PHONE = "a1".repeat(32);
    private static final String CAROLS_OLD_PHONE = "b2".repeat(32);

    @TempDir
    Path dir;

    @Test
    void offlineDevicesAreWokenThroughApnsBurstsCollapseAndUnregisteredTokensAreRemoved() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=Test APNs CA").setIsCertificateAuthority(true).ecp256()
            .buildSelfSigned();
        X509Bundle tls = new CertificateBuilder().subject("CN=127.0.0.1").addSanIpAddress("127.0.0.1").ecp256()
            .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair signing = g.generateKeyPair();
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM, (ECPublicKey) signing.getPublic());
        List<ApnsPushNotification> accepted = new CopyOnWriteArrayList<>();
        List<RejectionReason> rejected = new CopyOnWriteArrayList<>();
        MockApnsServer apns = new MockApnsServerBuilder()
            .setServerCredentials(tls.getCertificatePath(), tls.getKeyPair().getPrivate(), null)
            .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(
                Map.of(TOPIC, Set.of(BOBS_PHONE, CAROLS_OLD_PHONE)),
                Map.of(CAROLS_OLD_PHONE, Instant.now().minusSeconds(60)),
                Map.of(KEY_ID, verification), Map.of(verification, Set.of(TOPIC))))
            .setListener(new ParsingMockApnsServerListenerAdapter() {
                @Override
                public void handlePushNotificationAccepted(ApnsPushNotification n) {
                    accepted.add(n);
                }

                @Override
                public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason r, Instant t) {
                    rejected.add(r);
                }
            })
            .build();
        int port = apns.start(0).get(10, TimeUnit.SECONDS);
        Path p8 = Files.writeString(dir.resolve("AuthKey.p8"), "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(signing.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Path caPem = Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
        try (TestServer server = new TestServer(dir.resolve("data"), Map.of(
            "push.apns.keyFile", p8.toString(), "push.apns.keyId", KEY_ID, "push.apns.teamId", TEAM,
            "push.apns.topic", TOPIC, "push.apns.server", "127.0.0.1:" + port,
            "push.apns.trustedCertificate", caPem.toString(), "push.collapseSeconds", "2"))) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            server.client().registerPush(bob.token(), Map.of("kind", "apns", "token", BOBS_PHONE.toUpperCase()));
            server.client().registerPush(carol.token(), Map.of("kind", "apns", "token", CAROLS_OLD_PHONE,
                "topic", TOPIC));
            ParleyConnection a = server.connectSynced(alice);

            // A burst of 10 to offline Bob: one push now, one at the end of the window, same collapse id.
            long lastSeq = 0;
            for (int i = 1; i <= 10; i++) {
                lastSeq = a.sendToUser(bob.id(), "msg " + i).get(5, TimeUnit.SECONDS).seq();
            }
            await().atMost(T).until(() -> accepted.size() >= 2);
            Thread.sleep(2500);
            assertThat(accepted).hasSize(2);
            assertThat(accepted.get(0).getToken()).isEqualTo(BOBS_PHONE);
            assertThat(accepted.get(0).getCollapseId()).isEqualTo(accepted.get(1).getCollapseId());
            var last = JSON.readTree(accepted.get(1).getPayload());
            assertThat(last.get("seq").asLong()).isEqualTo(lastSeq);
            assertThat(last.get("aps").get("badge").asInt()).isEqualTo(10);
            assertThat(last.get("aps").get("alert").get("body").asText()).isEqualTo("New message from alice");

            // Carol's token was unregistered: APNs says so once, and the registration is gone.
            a.sendToUser(carol.id(), "hello?").get(5, TimeUnit.SECONDS);
            await().atMost(T).until(() -> rejected.size() == 1);
            assertThat(rejected).containsExactly(RejectionReason.UNREGISTERED);
            await().atMost(T).until(() -> server.client().rawRequest("GET", "/metrics", null, null).body()
                .contains("parley_push_total{kind=\"apns\",outcome=\"removed\"} 1.0"));
            Thread.sleep(2500); // past the collapse window
            a.sendToUser(carol.id(), "still there?").get(5, TimeUnit.SECONDS);
            Thread.sleep(1500);
            assertThat(rejected).as("no second push to a removed token").hasSize(1);
        } finally {
            apns.shutdown().get(10, TimeUnit.SECONDS);
        }
    }
}
