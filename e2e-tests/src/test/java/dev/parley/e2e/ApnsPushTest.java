package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.eatthepath.pushy.apns.server.RejectionReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.client.ParleyConnection;
import dev.parley.testkit.MockApns;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path to APNs: a server configured with a .p8 key, team and key id and a test APNs host pushes to
 * Pushy's mock APNs server (HTTP/2 over TLS, validating the provider token, topic and device tokens).
 */
class ApnsPushTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOBS_PHONE = "a1".repeat(32);
    private static final String CAROLS_OLD_PHONE = "b2".repeat(32);

    @TempDir
    Path dir;

    @Test
    void offlineDevicesAreWokenThroughApnsBurstsCollapseAndUnregisteredTokensAreRemoved() throws Exception {
        try (MockApns apns = new MockApns(dir, Set.of(BOBS_PHONE), Set.of(CAROLS_OLD_PHONE));
             TestServer server = new TestServer(dir.resolve("data"), Map.of(
                 "push.apns.keyFile", MockApns.writeP8(dir.resolve("AuthKey.p8"), apns.signingKey).toString(),
                 "push.apns.keyId", MockApns.KEY_ID, "push.apns.teamId", MockApns.TEAM,
                 "push.apns.topic", MockApns.TOPIC, "push.apns.server", apns.address(),
                 "push.apns.trustedCertificate", apns.caPem().toString(), "push.collapseSeconds", "2"))) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            server.client().registerPush(bob.token(), Map.of("kind", "apns", "token", BOBS_PHONE.toUpperCase()));
            server.client().registerPush(carol.token(), Map.of("kind", "apns", "token", CAROLS_OLD_PHONE,
                "topic", MockApns.TOPIC));
            ParleyConnection a = server.connectSynced(alice);

            // A burst of 10 to offline Bob: one push now, one at the end of the window, same collapse id.
            long lastSeq = 0;
            for (int i = 1; i <= 10; i++) {
                lastSeq = a.sendToUser(bob.id(), "msg " + i).get(5, TimeUnit.SECONDS).seq();
            }
            await().atMost(T).until(() -> apns.accepted.size() >= 2);
            Thread.sleep(2500);
            assertThat(apns.accepted).hasSize(2);
            assertThat(apns.accepted.get(0).getToken()).isEqualTo(BOBS_PHONE);
            assertThat(apns.accepted.get(0).getCollapseId()).isEqualTo(apns.accepted.get(1).getCollapseId());
            JsonNode last = JSON.readTree(apns.accepted.get(1).getPayload());
            assertThat(last.get("seq").asLong()).isEqualTo(lastSeq);
            assertThat(last.get("aps").get("badge").asInt()).isEqualTo(10);
            assertThat(last.get("aps").get("alert").get("body").asText()).isEqualTo("New message from alice");

            // Carol's token was unregistered: APNs says so once, and the registration is gone.
            a.sendToUser(carol.id(), "hello?").get(5, TimeUnit.SECONDS);
            await().atMost(T).until(() -> apns.rejected.size() == 1);
            assertThat(apns.rejected).containsExactly(RejectionReason.UNREGISTERED);
            await().atMost(T).until(() -> server.client().rawRequest("GET", "/metrics", null, null).body()
                .contains("parley_push_total{kind=\"apns\",outcome=\"removed\"} 1.0"));
            Thread.sleep(2500); // past the collapse window
            a.sendToUser(carol.id(), "still there?").get(5, TimeUnit.SECONDS);
            Thread.sleep(1500);
            assertThat(apns.rejected).as("no second push to a removed token").hasSize(1);
        }
    }
}
