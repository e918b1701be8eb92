package dev.parley.e2e;

import static dev.parley.e2e.WalkthroughTest.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.ConversationSummary;
import dev.parley.client.HistoryPage;
import dev.parley.client.ParleyApiException;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** History paging over REST and the conversation list, members only. */
class HistoryTest {
    @TempDir
    Path dir;

    @Test
    void pagesBackwardsAndForwards() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            ParleyConnection a = server.connect(alice);
            String conv = null;
            for (int i = 1; i <= 120; i++) {
                conv = a.sendToUser(bob.id(), "m" + i).join().conversationId();
            }
            var c = server.client();

            HistoryPage newest = c.history(bob.token(), conv, null, null, null);
            assertThat(seqs(newest)).containsExactlyElementsOf(range(71, 120));
            assertThat(newest.hasMore()).isTrue();
            HistoryPage older = c.history(bob.token(), conv, 71L, null, null);
            assertThat(seqs(older)).containsExactlyElementsOf(range(21, 70));
            assertThat(older.hasMore()).isTrue();
            HistoryPage oldest = c.history(bob.token(), conv, 21L, null, null);
            assertThat(seqs(oldest)).containsExactlyElementsOf(range(1, 20));
            assertThat(oldest.hasMore()).isFalse();

            HistoryPage fromStart = c.history(bob.token(), conv, null, 0L, 50);
            assertThat(seqs(fromStart)).containsExactlyElementsOf(range(1, 50));
            assertThat(fromStart.hasMore()).isTrue();
            HistoryPage tail = c.history(bob.token(), conv, null, 100L, 50);
            assertThat(seqs(tail)).containsExactlyElementsOf(range(101, 120));
            assertThat(tail.hasMore()).isFalse();
            assertThat(c.history(bob.token(), conv, null, 120L, 10).messages()).isEmpty();
            HistoryPage max = c.history(alice.token(), conv, null, null, 200);
            assertThat(seqs(max)).containsExactlyElementsOf(range(1, 120));

            ServerFrame.Message m = newest.messages().getLast();
            assertThat(m.body()).isEqualTo("m120");
            assertThat(m.from()).isEqualTo(alice.id());
            assertThat(m.clientMsgId()).isNotEmpty();

            String id = conv;
            assertThatThrownBy(() -> c.history(bob.token(), id, null, null, 201))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(400));
            assertThatThrownBy(() -> c.history(bob.token(), id, null, null, 0))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(400));
            // Another pair's history is forbidden; an unknown conversation is not found.
            assertThatThrownBy(() -> c.history(carol.token(), id, null, null, null))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                });
            assertThatThrownBy(() -> c.history(carol.token(), "12345", null, null, null))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> c.history("not-a-token", id, null, null, null))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
    }

    @Test
    void conversationListShowsPeersAndLastMessages() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            ParleyConnection a = server.connect(alice);
            String withBob = a.sendToUser(bob.id(), "to bob").join().conversationId();
            Thread.sleep(5);
            String withCarol = a.sendToUser(carol.id(), "to carol").join().conversationId();
            a.sendToUser(carol.id(), "to carol again").join();

            List<ConversationSummary> list = server.client().conversations(alice.token());
            assertThat(list).extracting(ConversationSummary::conversationId).containsExactly(withCarol, withBob);
            assertThat(list.get(0).kind()).isEqualTo("direct");
            assertThat(list.get(0).title()).isEqualTo("carol");
            assertThat(list.get(0).lastSeq()).isEqualTo(2);
            assertThat(server.client().conversations(bob.token())).extracting(ConversationSummary::conversationId)
                .containsExactly(withBob);
            assertThat(server.client().conversations(carol.token())).hasSize(1);
        }
    }

    private static List<Long> seqs(HistoryPage p) {
        return p.messages().stream().map(ServerFrame.Message::seq).toList();
    }
}
