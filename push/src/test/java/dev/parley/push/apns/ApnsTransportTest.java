package dev.parley.push.apns;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.push.PushKind;
import dev.parley.push.PushNotification;
import dev.parley.push.PushOutcome;
import dev.parley.push.PushRegistration;
import dev.parley.testkit.MockApns;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Set;
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
    private static final String GOOD = "a1".repeat(32);
    private static final String UNREGISTERED = "b2".repeat(32);
    private static final String UNKNOWN = "c3".repeat(32);

    @TempDir
    Path dir;

    private MockApns apns;

    @BeforeEach
    void start() throws Exception {
        apns = new MockApns(dir, Set.of(GOOD), Set.of(UNREGISTERED));
    }

    @AfterEach
    void stop() throws Exception {
        apns.close();
    }

    private ApnsTransport transport(KeyPair key) throws Exception {
        Path p8 = MockApns.writeP8(dir.resolve("AuthKey_" + System.nanoTime() + ".p8"), key);
        return ApnsTransport.create(new ApnsTransport.Settings(p8, MockApns.TEAM, MockApns.KEY_ID, MockApns.TOPIC,
            apns.address(), apns.caPem()));
    }

    private static PushRegistration device(String token) {
        return new PushRegistration(1, 2, PushKind.APNS, token, null, null, null, 0);
    }

    @Test
    void aNotificationIsDeliveredWithAlertBadgeAndTheConversationsCollapseId() throws Exception {
        try (ApnsTransport t = transport(apns.signingKey)) {
            PushNotification first = new PushNotification(1, 2, 77, 5, "Climbing", "Alice", 4, null);
            PushNotification second = new PushNotification(1, 2, 77, 6, "Climbing", "Alice", 5, null);

            assertThat(t.deliver(device(GOOD), first).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Delivered.class);
            assertThat(t.deliver(device(GOOD), second).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Delivered.class);

            assertThat(apns.accepted).hasSize(2);
            ApnsPushNotification n = apns.accepted.get(0);
            assertThat(n.getTopic()).isEqualTo(MockApns.TOPIC);
            assertThat(n.getCollapseId()).as("a burst collapses").isEqualTo(first.collapseKey())
                .isEqualTo(apns.accepted.get(1).getCollapseId());
            JsonNode aps = JSON.readTree(n.getPayload()).get("aps");
            assertThat(aps.get("alert").get("title").asText()).isEqualTo("Alice @ Climbing");
            assertThat(aps.get("alert").get("body").asText()).isEqualTo("New message from Alice in Climbing");
            assertThat(aps.get("badge").asInt()).isEqualTo(4);
        }
    }

    @Test
    void anUnregisteredOrUnknownTokenIsGone() throws Exception {
        try (ApnsTransport t = transport(apns.signingKey)) {
            PushNotification n = new PushNotification(1, 2, 77, 5, null, "Alice", 1, "hi");

            assertThat(t.deliver(device(UNREGISTERED), n).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Gone.class);
            assertThat(t.deliver(device(UNKNOWN), n).get(10, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Gone.class);
            assertThat(apns.rejected).containsExactly(RejectionReason.UNREGISTERED,
                RejectionReason.DEVICE_TOKEN_NOT_FOR_TOPIC);
            assertThat(apns.accepted).isEmpty();
        }
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefusedAndNotBlamedOnTheDevice() throws Exception {
        try (ApnsTransport t = transport(MockApns.p256())) {
            PushOutcome outcome = t.deliver(device(GOOD), new PushNotification(1, 2, 77, 5, null, "Alice", 1, null))
                .get(10, TimeUnit.SECONDS);

            assertThat(outcome).isInstanceOf(PushOutcome.Failed.class);
            assertThat(((PushOutcome.Failed) outcome).reason()).contains("InvalidProviderToken");
            assertThat(apns.accepted).isEmpty();
        }
    }
}
