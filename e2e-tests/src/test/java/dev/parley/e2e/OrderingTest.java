package dev.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 20 devices write into one conversation at once: every device sees one identical order, no gap, no duplicate. */
class OrderingTest {
    static final int DEVICES_PER_USER = 10;
    static final int PER_SENDER = 200;

    @TempDir
    Path dir;

    @Test
    void concurrentSendersOneOrder() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            String conv;
            try (ParleyConnection first = server.connect(alice)) {
                conv = first.sendToUser(bob.id(), "start").join().conversationId();
            }
            List<ParleyConnection> conns = new ArrayList<>();
            for (int i = 0; i < DEVICES_PER_USER; i++) {
                for (var user : List.of(alice, bob)) {
                    Credentials c = server.anotherDevice(user);
                    conns.add(server.client().connect(c.token(), ConnectOptions.defaults().withAutoAck(true)).join());
                }
            }
            for (ParleyConnection c : conns) {
                c.awaitSynced(TestServer.T);
            }
            int senders = conns.size();
            List<CompletableFuture<List<ServerFrame.Sent>>> results =
                ConcurrentSenders.send(conns, conv, PER_SENDER, (sender, i) -> "s" + sender + "-" + i);

            long total = 1 + (long) senders * PER_SENDER;
            Map<Long, String> canonical = new HashMap<>();
            for (int s = 0; s < senders; s++) {
                List<ServerFrame.Sent> mine = results.get(s).get();
                // One sender's messages keep the order it sent them in.
                for (int i = 1; i < mine.size(); i++) {
                    assertThat(mine.get(i).seq()).isGreaterThan(mine.get(i - 1).seq());
                }
            }
            for (int s = 0; s < senders; s++) {
                ParleyConnection c = conns.get(s);
                int expected = (int) total - 1 - PER_SENDER; // everything but "start" (before it connected) and its own
                List<ServerFrame.Message> got = c.awaitMessages(conv, expected, Duration.ofSeconds(60));
                List<Long> seqs = new ArrayList<>();
                for (ServerFrame.Message m : got) {
                    seqs.add(m.seq());
                    String prev = canonical.putIfAbsent(m.seq(), m.body());
                    if (prev != null) {
                        assertThat(m.body()).as("seq %d differs between devices", m.seq()).isEqualTo(prev);
                    }
                }
                assertThat(seqs).isSorted().doesNotHaveDuplicates();
                List<Long> own = results.get(s).get().stream().map(ServerFrame.Sent::seq).toList();
                List<Long> all = new ArrayList<>(seqs);
                all.addAll(own);
                all.add(1L);
                assertThat(all).hasSize((int) total).containsExactlyInAnyOrderElementsOf(WalkthroughTest.range(1, total));
                assertThat(c.pollFrame(ServerFrame.Message.class, Duration.ofMillis(50))).isEmpty();
            }
            for (int s = 0; s < senders; s++) {
                for (ServerFrame.Sent sent : results.get(s).get()) {
                    canonical.putIfAbsent(sent.seq(), null);
                }
            }
            assertThat(canonical).hasSize((int) total - 1);
            conns.forEach(ParleyConnection::close);
        }
    }
}
