package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.ConversationSummary;
import dev.parley.client.Credentials;
import dev.parley.client.MessageReceipt;
import dev.parley.client.ParleyApiException;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two users with two devices each: fan-out to all devices, ticks, read positions, unread counts, device limit. */
class ReceiptsTest {
    @TempDir
    Path dir;

    @Test
    void ticksReachEveryDeviceAndUnreadCountsFollowTheReadPosition() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            Credentials aliceLaptopC = server.anotherDevice(alice);
            Credentials bobLaptopC = server.anotherDevice(bob);
            ParleyConnection alicePhone = server.connect(alice);
            ParleyConnection aliceLaptop = server.connect(aliceLaptopC);
            ParleyConnection bobPhone = server.connect(bob);
            ParleyConnection bobLaptop = server.connect(bobLaptopC);
            for (ParleyConnection c : List.of(alicePhone, aliceLaptop, bobPhone, bobLaptop)) {
                c.awaitSynced(T);
            }

            ServerFrame.Sent sent = alicePhone.sendToUser(bob.id(), "hello").join();
            String conv = sent.conversationId();
            // Both of Bob's devices get it, and Alice's laptop shows what her phone sent.
            assertThat(bobPhone.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(1);
            assertThat(bobLaptop.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(1);
            ServerFrame.Message echo = aliceLaptop.awaitFrame(ServerFrame.Message.class, T);
            assertThat(echo.fromDevice()).isEqualTo(alice.device().deviceId());
            assertThat(alicePhone.pollFrame(ServerFrame.Message.class, Duration.ofMillis(100))).isEmpty();

            // Two ticks on both of Alice's devices when a device of Bob's has it.
            bobPhone.delivered(conv, 1);
            for (ParleyConnection c : List.of(alicePhone, aliceLaptop)) {
                ServerFrame.Receipt r = c.awaitFrame(ServerFrame.Receipt.class, T);
                assertThat(r).isEqualTo(new ServerFrame.Receipt(conv, 1, bob.id(), "delivered"));
            }
            // Bob's other device acking the same seq changes nothing: no second receipt.
            bobLaptop.delivered(conv, 1);
            assertThat(alicePhone.pollFrame(ServerFrame.Receipt.class, Duration.ofMillis(200))).isEmpty();

            // More messages: unread 3 for Bob on both devices, 0 for Alice.
            alicePhone.sendToConversation(conv, "two").join();
            alicePhone.sendToConversation(conv, "three").join();
            assertThat(unread(server, bob.token(), conv)).isEqualTo(3);
            assertThat(unread(server, bobLaptopC.token(), conv)).isEqualTo(3);
            assertThat(unread(server, alice.token(), conv)).isZero();

            // Blue ticks when Bob reads on his laptop; his phone learns it too (for its badge).
            bobLaptop.read(conv, 2);
            for (ParleyConnection c : List.of(alicePhone, aliceLaptop, bobPhone)) {
                assertThat(c.awaitFrame(ServerFrame.Receipt.class, r -> r.status().equals("read"), T))
                    .isEqualTo(new ServerFrame.Receipt(conv, 2, bob.id(), "read"));
            }
            assertThat(unread(server, bob.token(), conv)).isEqualTo(1);
            // Backwards and past-the-end receipts are ignored without an error storm.
            bobPhone.read(conv, 1);
            bobPhone.read(conv, 99);
            bobPhone.ping().join();
            assertThat(bobPhone.pollFrame(ServerFrame.Error.class, Duration.ofMillis(100))).isEmpty();
            assertThat(alicePhone.pollFrame(ServerFrame.Receipt.class, Duration.ofMillis(200)))
                .isEmpty();
            assertThat(unread(server, bob.token(), conv)).isEqualTo(1);

            // Message info over REST.
            List<MessageReceipt> info = server.client().receipts(alice.token(), conv, 2);
            assertThat(info).hasSize(1);
            assertThat(info.get(0).userId()).isEqualTo(bob.id());
            assertThat(info.get(0).delivered()).isTrue();
            assertThat(info.get(0).read()).isTrue();
            assertThat(server.client().receipts(alice.token(), conv, 3).get(0).read()).isFalse();
            assertThatThrownBy(() -> server.client().receipts(alice.token(), conv, 99))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(404));

            // A stranger cannot post receipts or read them.
            var carol = server.newUser("carol");
            ParleyConnection c = server.connect(carol);
            c.read(conv, 1);
            assertThat(c.awaitFrame(ServerFrame.Error.class, T).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThatThrownBy(() -> server.client().receipts(carol.token(), conv, 1))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(403));

            // Positions survive a restart.
            server.restart();
            assertThat(unread(server, bob.token(), conv)).isEqualTo(1);
            assertThat(server.client().receipts(alice.token(), conv, 2).get(0).read()).isTrue();
        }
    }

    @Test
    void aDeviceOfflineForLongGetsEveryMessageAndEveryTickItMissed() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            Credentials aliceLaptopC = server.anotherDevice(alice); // off while everything happens
            ParleyConnection alicePhone = server.connect(alice);
            ParleyConnection bobPhone = server.client().connect(bob.token(),
                dev.parley.client.ConnectOptions.defaults().withAutoAck(true)).join();
            bobPhone.awaitSynced(T);
            String conv = null;
            for (int i = 1; i <= 250; i++) {
                conv = alicePhone.sendToUser(bob.id(), "a" + i).join().conversationId();
                bobPhone.sendToConversation(conv, "b" + i).join();
            }
            bobPhone.awaitMessages(250, T);
            bobPhone.read(conv, 500).join();
            alicePhone.awaitFrame(ServerFrame.Receipt.class, r -> r.status().equals("read") && r.seq() == 500, T);

            ParleyConnection laptop = server.client().connect(aliceLaptopC.token(),
                dev.parley.client.ConnectOptions.defaults().withAutoAck(true)).join();
            laptop.awaitSynced(T);
            // Everything from both of them (its own phone's messages too), in order, no gaps, no duplicates.
            java.util.List<ServerFrame.Message> got = laptop.awaitMessages(500, Duration.ZERO);
            assertThat(got).extracting(ServerFrame.Message::seq)
                .containsExactlyElementsOf(WalkthroughTest.range(1, 500));
            assertThat(laptop.tracker().problems()).isEmpty();
            // And the ticks it missed: Bob has everything and has read everything.
            assertThat(laptop.awaitFrame(ServerFrame.Receipt.class, r -> r.status().equals("read"), Duration.ZERO))
                .isEqualTo(new ServerFrame.Receipt(conv, 500, bob.id(), "read"));
            assertThat(laptop.awaitFrame(ServerFrame.Receipt.class, r -> r.status().equals("delivered"),
                Duration.ZERO).seq()).isEqualTo(500);
        }
    }

    @Test
    void deviceLimitAnswersWhichDevicesToRevoke() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("accounts.maxDevices", "2"))) {
            var dave = server.newUser("dave");
            server.anotherDevice(dave);
            assertThatThrownBy(() -> server.anotherDevice(dave))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.errorMessage()).contains(dave.device().deviceId()).contains("revoke");
                });
            server.client().revokeDevice(dave.token(), server.client().devices(dave.token()).stream()
                .filter(d -> !Boolean.TRUE.equals(d.current())).findFirst().orElseThrow().deviceId());
            assertThat(server.anotherDevice(dave).token()).isNotEmpty();
        }
    }

    private static long unread(TestServer server, String token, String conv) {
        ConversationSummary s = server.client().conversations(token).stream()
            .filter(x -> x.conversationId().equals(conv)).findFirst().orElseThrow();
        return s.unread();
    }
}
