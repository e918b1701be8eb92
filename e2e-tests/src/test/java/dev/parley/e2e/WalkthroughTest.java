package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.ConnectOptions;
import dev.parley.client.HistoryPage;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's promise: two users chat both ways, one goes away and comes back, the server restarts. */
class WalkthroughTest {
    @TempDir
    Path dir;

    @Test
    void chatBothWaysOfflineCatchUpAndRestart() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            ParleyConnection a = server.client().connect(alice.token(), ConnectOptions.defaults().withAutoAck(true))
                .join();
            ParleyConnection b = server.client().connect(bob.token(), ConnectOptions.defaults().withAutoAck(true))
                .join();
            a.awaitSynced(T);
            b.awaitSynced(T);

            ServerFrame.Sent s1 = a.sendToUser(bob.id(), "hi Bob").get();
            assertThat(s1.seq()).isEqualTo(1);
            ServerFrame.Message m1 = b.awaitFrame(ServerFrame.Message.class, T);
            assertThat(m1.body()).isEqualTo("hi Bob");
            assertThat(m1.from()).isEqualTo(alice.id());
            assertThat(m1.fromDevice()).isEqualTo(alice.device().deviceId());
            assertThat(m1.conversationId()).isEqualTo(s1.conversationId());
            assertThat(m1.messageId()).isEqualTo(s1.messageId());

            ServerFrame.Sent s2 = b.sendToUser(alice.id(), "hi Alice 👋").get();
            assertThat(s2.seq()).isEqualTo(2);
            assertThat(s2.conversationId()).isEqualTo(s1.conversationId());
            assertThat(a.awaitFrame(ServerFrame.Message.class, T).body()).isEqualTo("hi Alice 👋");

            // Bob goes away; Alice keeps writing.
            b.close();
            List<CompletableFuture<ServerFrame.Sent>> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                sent.add(a.sendToConversation(s1.conversationId(), "while you were away " + i));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();

            // Bob comes back: exactly the 30 missed messages, in order, then synced.
            ParleyConnection b2 = server.client().connect(bob.token(), ConnectOptions.defaults().withAutoAck(true))
                .join();
            List<ServerFrame.Message> missed = b2.awaitMessages(30, T);
            b2.awaitSynced(T);
            assertThat(missed).extracting(ServerFrame.Message::seq).containsExactlyElementsOf(range(3, 32));
            assertThat(missed.get(0).body()).isEqualTo("while you were away 0");
            assertThat(b2.tracker().problems()).isEmpty();
            Thread.sleep(300); // nothing else arrives
            assertThat(b2.inbox().stream().filter(f -> f instanceof ServerFrame.Message)).isEmpty();
            a.close();
            b2.close();

            // A restart keeps everything that was acknowledged.
            server.restart();
            HistoryPage page = server.client().history(bob.token(), s1.conversationId(), null, null, 200);
            assertThat(page.messages()).extracting(ServerFrame.Message::seq).containsExactlyElementsOf(range(1, 32));
            assertThat(page.hasMore()).isFalse();

            // And Bob, who acknowledged everything, gets nothing twice after the restart.
            ParleyConnection b3 = server.connect(bob);
            b3.awaitSynced(T);
            assertThat(b3.inbox().stream().filter(f -> f instanceof ServerFrame.Message)).isEmpty();
            // Alice did not ack Bob's message 2 before the restart? She did (autoAck): nothing either.
            ParleyConnection a3 = server.connect(alice);
            a3.awaitSynced(T);
            assertThat(a3.inbox().stream().filter(f -> f instanceof ServerFrame.Message)).isEmpty();
        }
    }

    static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            r.add(i);
        }
        return r;
    }
}
