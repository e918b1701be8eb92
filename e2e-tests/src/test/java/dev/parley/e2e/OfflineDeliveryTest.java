package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static dev.parley.e2e.WalkthroughTest.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages for a device that is not connected arrive after its next ready, in order, before synced. */
class OfflineDeliveryTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void backlogArrivesInOrderBeforeSynced() {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob"); // logged in, never connected
        ParleyConnection a = server.connect(alice);
        String conv = null;
        for (int i = 1; i <= 120; i++) {
            conv = a.sendToUser(bob.id(), "m" + i).join().conversationId();
        }
        ParleyConnection b = server.client().connect(bob.token(), ConnectOptions.defaults().withRecordRawFrames(true))
            .join();
        b.awaitSynced(T);
        List<ServerFrame.Message> got = b.awaitMessages(120, Duration.ZERO); // all present before synced
        assertThat(got).extracting(ServerFrame.Message::seq).containsExactlyElementsOf(range(1, 120));
        assertThat(got).extracting(ServerFrame.Message::body).startsWith("m1", "m2").endsWith("m120");
        String convId = conv;
        assertThat(got).allMatch(m -> m.conversationId().equals(convId));
        // The synced frame comes after the last message on the wire.
        List<String> raw = List.copyOf(b.rawFrames());
        int syncedAt = indexOf(raw, "\"type\":\"synced\"");
        int lastMessageAt = lastIndexOf(raw, "\"type\":\"message\"");
        assertThat(syncedAt).isGreaterThan(lastMessageAt);
    }

    @Test
    void unacknowledgedMessagesComeAgainAcknowledgedOnesDoNot() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        ParleyConnection a = server.connect(alice);
        String conv = a.sendToUser(bob.id(), "one").join().conversationId();
        a.sendToConversation(conv, "two").join();
        a.sendToConversation(conv, "three").join();

        ParleyConnection b = server.connect(bob); // no auto-ack
        assertThat(b.awaitMessages(3, T)).extracting(ServerFrame.Message::seq).containsExactly(1L, 2L, 3L);
        b.awaitSynced(T);
        b.close();

        ParleyConnection b2 = server.connect(bob);
        assertThat(b2.awaitMessages(3, T)).extracting(ServerFrame.Message::seq).containsExactly(1L, 2L, 3L);
        b2.awaitSynced(T);
        b2.delivered(conv, 2).join();
        Thread.sleep(200); // > cursor flush interval; reconnecting sooner must work too (see below)
        b2.close();

        ParleyConnection b3 = server.connect(bob);
        assertThat(b3.awaitMessages(1, T)).extracting(ServerFrame.Message::seq).containsExactly(3L);
        b3.awaitSynced(T);
        // An ack straight before reconnecting counts at once, flushed or not.
        b3.delivered(conv, 3).join();
        b3.ping().join(); // the ack was handled before the pong
        b3.close();
        ParleyConnection b4 = server.connect(bob);
        b4.awaitSynced(T);
        assertThat(b4.pollFrame(ServerFrame.Message.class, Duration.ofMillis(200))).isEmpty();
    }

    @Test
    void liveMessagesDuringSyncAreNeitherLostNorDuplicated() throws Exception {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        ParleyConnection a = server.connect(alice);
        String conv = a.sendToUser(bob.id(), "first").join().conversationId();
        for (int i = 0; i < 500; i++) {
            a.sendToConversation(conv, "backlog " + i);
        }
        a.ping().join();
        // Bob connects while Alice keeps sending: backlog and live traffic interleave on the server.
        Thread sender = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 500; i++) {
                a.sendToConversation(conv, "live " + i);
            }
        });
        ParleyConnection b = server.client().connect(bob.token(), ConnectOptions.defaults().withAutoAck(true)).join();
        sender.join();
        List<ServerFrame.Message> all = b.awaitMessages(1001, T);
        assertThat(all).extracting(ServerFrame.Message::seq).containsExactlyElementsOf(range(1, 1001));
        assertThat(b.tracker().problems()).isEmpty();
    }

    @Test
    void aNewDeviceStartsEmptyAndReadsHistoryOverRest() {
        var alice = server.newUser("alice");
        var bob = server.newUser("bob");
        ParleyConnection a = server.connect(alice);
        String conv = a.sendToUser(bob.id(), "before the new device").join().conversationId();
        Credentials laptop = server.anotherDevice(bob);
        ParleyConnection l = server.connect(laptop);
        l.awaitSynced(T);
        assertThat(l.pollFrame(ServerFrame.Message.class, Duration.ofMillis(200))).isEmpty();
        assertThat(server.client().history(laptop.token(), conv).messages()).hasSize(1);
        // New traffic reaches both of Bob's devices.
        ParleyConnection phone = server.connect(bob);
        phone.awaitSynced(T);
        a.sendToConversation(conv, "after").join();
        assertThat(l.awaitFrame(ServerFrame.Message.class, T).body()).isEqualTo("after");
        assertThat(phone.awaitMessages(2, T)).extracting(ServerFrame.Message::body)
            .containsExactly("before the new device", "after");
    }

    private static int indexOf(List<String> raw, String needle) {
        for (int i = 0; i < raw.size(); i++) {
            if (raw.get(i).contains(needle)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<String> raw, String needle) {
        for (int i = raw.size() - 1; i >= 0; i--) {
            if (raw.get(i).contains(needle)) {
                return i;
            }
        }
        return -1;
    }
}
