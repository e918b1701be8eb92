package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static dev.parley.e2e.WalkthroughTest.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.Credentials;
import dev.parley.client.GroupInfo;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200-member group, every member online: three members write at once, and each of the 201 connections (one per
 * member plus a sender's second device) gets every message once, in the one order of {@code seq}, with the same
 * message under each {@code seq}.
 */
class GroupFanOutTest {
    static final int MEMBERS = 200;
    static final int SENDERS = 3;
    static final int PER_SENDER = 10;
    /** Connections opened at once; the rest wait, so that handshakes stay well within their timeout. */
    static final int CONNECT_BATCH = 50;

    @TempDir
    Path dir;

    /** What a sender sent under one seq. */
    record Expected(String from, String body, String messageId) {
    }

    @Test
    void everyConnectionGetsEveryMessageInOneOrder() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            List<TestServer.User> users = register(server, MEMBERS);
            TestServer.User creator = users.getFirst();
            Credentials creatorLaptop = server.anotherDevice(creator);

            // One connection per member, then the creator's laptop last: 201 sockets, all synced.
            List<String> tokens = new ArrayList<>(users.stream().map(TestServer.User::token).toList());
            tokens.add(creatorLaptop.token());
            List<ParleyConnection> conns = new ArrayList<>();
            for (int from = 0; from < tokens.size(); from += CONNECT_BATCH) {
                List<CompletableFuture<ParleyConnection>> batch = tokens
                    .subList(from, Math.min(tokens.size(), from + CONNECT_BATCH)).stream()
                    .map(t -> server.client().connect(t)).toList();
                for (CompletableFuture<ParleyConnection> f : batch) {
                    conns.add(f.get(T.toSeconds(), TimeUnit.SECONDS));
                }
            }
            for (ParleyConnection c : conns) {
                c.awaitSynced(T);
            }

            GroupInfo group = server.client().createGroup(creator.token(), "Everyone",
                users.subList(1, MEMBERS).stream().map(TestServer.User::id).toList());
            String id = group.conversationId();
            assertThat(group.members()).hasSize(MEMBERS);

            // Three senders (the creator among them) at once, ten pipelined messages each.
            List<CompletableFuture<List<ServerFrame.Sent>>> results =
                ConcurrentSenders.send(conns.subList(0, SENDERS), id, PER_SENDER, GroupFanOutTest::body);

            long total = 1 + (long) SENDERS * PER_SENDER; // "created" is seq 1
            Map<Long, Expected> expected = new HashMap<>();
            List<List<Long>> ownSeqs = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                List<ServerFrame.Sent> mine = results.get(s).get(T.toSeconds(), TimeUnit.SECONDS);
                List<Long> seqs = mine.stream().map(ServerFrame.Sent::seq).toList();
                assertThat(seqs).as("sender %d keeps its own order", s).isSorted().doesNotHaveDuplicates();
                ownSeqs.add(seqs);
                for (int i = 0; i < PER_SENDER; i++) {
                    ServerFrame.Sent sent = mine.get(i);
                    assertThat(sent.conversationId()).isEqualTo(id);
                    Expected prev = expected.put(sent.seq(),
                        new Expected(users.get(s).id(), body(s, i), sent.messageId()));
                    assertThat(prev).as("seq %d given twice", sent.seq()).isNull();
                }
            }
            assertThat(expected.keySet()).containsExactlyInAnyOrderElementsOf(range(2, total));

            // Every connection: exactly the seqs it should have, ascending, each with the same message. A sender's
            // own device does not get its own messages back; the creator's laptop gets everything.
            for (int i = 0; i < conns.size(); i++) {
                ParleyConnection c = conns.get(i);
                List<Long> own = i < SENDERS ? ownSeqs.get(i) : List.of();
                List<Long> want = range(1, total).stream().filter(seq -> !own.contains(seq)).toList();
                List<ServerFrame.Message> got = c.awaitMessages(id, want.size(), T);
                assertThat(got).as("connection %d of user %s", i, c.userId())
                    .extracting(ServerFrame.Message::seq).containsExactlyElementsOf(want);
                for (ServerFrame.Message m : got) {
                    if (m.seq() == 1) {
                        assertThat(m.system()).as("seq 1 on connection %d", i).isNotNull();
                        assertThat(m.system().event()).isEqualTo("created");
                        continue;
                    }
                    Expected e = expected.get(m.seq());
                    assertThat(m.body()).as("seq %d on connection %d", m.seq(), i).isEqualTo(e.body());
                    assertThat(m.from()).as("seq %d on connection %d", m.seq(), i).isEqualTo(e.from());
                    assertThat(m.messageId()).as("seq %d on connection %d", m.seq(), i).isEqualTo(e.messageId());
                }
                // Nothing that arrived and was taken out of the inbox was a duplicate or out of order either.
                assertThat(c.tracker().duplicates(id)).as("connection %d", i).isEmpty();
                assertThat(c.tracker().outOfOrder(id)).as("connection %d", i).isEmpty();
                if (own.isEmpty()) {
                    assertThat(c.tracker().problems()).as("connection %d", i).isEmpty();
                }
            }
            // And nothing more: no duplicate arrives late on any connection.
            Thread.sleep(GroupsTest.QUIET.toMillis());
            for (int i = 0; i < conns.size(); i++) {
                assertThat(conns.get(i).inbox().stream().filter(f -> f instanceof ServerFrame.Message))
                    .as("connection %d", i).isEmpty();
            }
        }
    }

    static String body(int sender, int i) {
        return "s" + sender + "-" + i;
    }

    /** Registers {@code n} users, each with one logged-in device, a few at a time; in a stable order. */
    static List<TestServer.User> register(TestServer server, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<TestServer.User>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> server.newUser("member")));
            }
            List<TestServer.User> users = new ArrayList<>();
            for (Future<TestServer.User> f : futures) {
                users.add(f.get(T.toSeconds(), TimeUnit.SECONDS));
            }
            return users;
        } finally {
            pool.shutdownNow();
        }
    }
}
