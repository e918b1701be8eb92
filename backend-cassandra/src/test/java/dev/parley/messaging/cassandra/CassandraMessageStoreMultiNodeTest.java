package dev.parley.messaging.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.parley.messaging.AppendProbe;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.Limits;
import dev.parley.testkit.CassandraExtension;
import dev.parley.testkit.Race;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Several server nodes, i.e. several stores on one keyspace, writing the same conversations at once. */
@ExtendWith(CassandraExtension.class)
class CassandraMessageStoreMultiNodeTest {
    private static final long T0 = 1_760_000_000_000L;

    @TempDir
    Path dir;
    private CassandraMessageStore nodeA;
    private CassandraMessageStore nodeB;

    @BeforeEach
    void openTwoNodes() {
        // Small buckets, so that the nodes also race across bucket boundaries.
        CassandraMessageStoreConfig config = TestStores.config(TestStores.keyspaceOf(dir)).withBuckets(50, 4096);
        nodeA = TestStores.open(dir, config, 1);
        nodeB = TestStores.open(dir, config, 2);
    }

    @AfterEach
    void closeNodes() {
        nodeA.close();
        nodeB.close();
    }

    @Test
    void twoNodesAppendingToTheSameConversationsGetDenseUniqueSeqsAndLoseNothing() {
        int threadsPerNode = 3;
        int perThread = 300;
        int conversations = 3;
        // per node and conversation: the seqs its listener calls reported, in call order
        Map<String, List<Long>> listenerOrder = new ConcurrentHashMap<>();

        long started = System.nanoTime();
        List<Race.Outcome<List<AppendProbe>>> outcomes = Race.run(2 * threadsPerNode, t -> {
            CassandraMessageStore node = t % 2 == 0 ? nodeA : nodeB;
            String nodeName = t % 2 == 0 ? "A" : "B";
            List<AppendProbe> probes = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                NewMessage m = new NewMessage(1 + (i + t) % conversations, 100 + t, 1, "t" + t + "-" + i,
                    "from node " + nodeName + " thread " + t + " #" + i, null, T0 + i);
                AppendProbe p = new AppendProbe(m, null) {
                    @Override
                    public void stored(StoredMessage stored, boolean duplicate) {
                        listenerOrder.computeIfAbsent(nodeName + stored.conversationId(),
                            k -> new ArrayList<>()).add(stored.seq());
                        super.stored(stored, duplicate);
                    }
                };
                node.append(m, p);
                probes.add(p);
            }
            return probes;
        });

        Map<Long, Map<Long, StoredMessage>> bySeq = new HashMap<>();
        Set<Long> ids = new HashSet<>();
        for (Race.Outcome<List<AppendProbe>> o : outcomes) {
            assertThat(o.error()).isNull();
            long previous = 0;
            for (AppendProbe p : o.value()) {
                StoredMessage m = p.awaitStored(false);
                assertThat(p.calls()).isEqualTo(1);
                assertThat(m.clientMsgId()).isEqualTo(p.message().clientMsgId());
                assertThat(bySeq.computeIfAbsent(m.conversationId(), k -> new HashMap<>()).put(m.seq(), m))
                    .as("two messages with seq %d in conversation %d", m.seq(), m.conversationId()).isNull();
                assertThat(ids.add(m.id())).as("id %d given twice", m.id()).isTrue();
                if (m.conversationId() == o.value().getFirst().message().conversationId()) {
                    assertThat(m.seq()).isGreaterThan(previous); // one thread's order is kept
                    previous = m.seq();
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int total = 2 * threadsPerNode * perThread;
        System.out.printf("two nodes stored %d messages into %d shared conversations in %.2f s (%.0f msg/s), %d + %d"
            + " conditional writes lost to the other node%n", total, conversations, seconds, total / seconds,
            nodeA.conflicts(), nodeB.conflicts());
        assertThat(nodeA.conflicts() + nodeB.conflicts()).as("the nodes raced for seqs").isPositive();

        assertThat(bySeq).hasSize(conversations);
        bySeq.forEach((conv, messages) -> {
            assertThat(messages.keySet()).as("seqs of conversation %d", conv)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, messages.size()).boxed().toList());
            for (MessageStore node : List.of(nodeA, nodeB)) {
                assertThat(node.lastSeq(conv)).isEqualTo(messages.size());
                assertThat(readAll(node, conv)).containsExactlyElementsOf(
                    LongStream.rangeClosed(1, messages.size()).mapToObj(messages::get).toList());
            }
        });
        listenerOrder.forEach((key, seqs) -> assertThat(seqs).as("listener seqs of node+conversation %s", key)
            .isSorted().doesNotHaveDuplicates());
    }

    @Test
    void theSameMessageSentToBothNodesAtOnceIsStoredOnce() {
        int messages = 100;
        List<AppendProbe[]> pairs = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            NewMessage m = new NewMessage(7, 100, 1, "retry-" + i, "body " + i, null, T0 + i);
            AppendProbe a = new AppendProbe(m, null);
            AppendProbe b = new AppendProbe(m, null);
            nodeA.append(m, a);
            nodeB.append(m, b);
            pairs.add(new AppendProbe[] {a, b});
        }

        Set<Long> seqs = new HashSet<>();
        for (AppendProbe[] pair : pairs) {
            AppendProbe.Result a = pair[0].await();
            AppendProbe.Result b = pair[1].await();
            assertThat(a.error()).isNull();
            assertThat(b.error()).isNull();
            assertThat(a.message()).isEqualTo(b.message());
            assertThat(a.duplicate() ^ b.duplicate()).as("exactly one of the two stored it").isTrue();
            seqs.add(a.message().seq());
        }
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, messages).boxed().toList());
        assertThat(nodeB.lastSeq(7)).isEqualTo(messages);
    }

    @Test
    void messagesOfANodeThatDiedBeforeIndexingThemAreFoundAndRepaired() {
        NewMessage first = new NewMessage(9, 100, 1, "first", "first", null, T0);
        StoredMessage one = append(nodeA, first);
        assertThat(one.seq()).isEqualTo(1);
        // A third node won seqs 2 and 3 with its Paxos round, then died before writing their keys and the head.
        StoredMessage orphan2 = new StoredMessage(9, 2, 900_002, 300, 1, "orphan-2", "unacknowledged", null, T0);
        StoredMessage orphan3 = new StoredMessage(9, 3, 900_003, 100, 1, "orphan-3", "unacknowledged", null, T0);
        try (CqlSession raw = TestStores.session()) {
            PreparedStatement insert = raw.prepare("INSERT INTO " + keyspace() + ".messages (conversation_id, bucket,"
                + " seq, id, sender_user_id, sender_device_id, client_msg_id, body, ts) VALUES (?, 0, ?, ?, ?, 1, ?, ?,"
                + " ?) IF NOT EXISTS");
            assertThat(raw.execute(BatchStatement.newInstance(BatchType.UNLOGGED,
                insert.bind(9L, 2L, orphan2.id(), 300L, "orphan-2", orphan2.body(), T0),
                insert.bind(9L, 3L, orphan3.id(), 100L, "orphan-3", orphan3.body(), T0))).wasApplied()).isTrue();
        }
        assertThat(nodeB.lastSeq(9)).as("unacknowledged messages are not counted yet").isEqualTo(1);

        // Its client retries on node A (whose cached head is 1): the retry finds the stored message.
        AppendProbe retry = new AppendProbe(new NewMessage(9, 100, 1, "orphan-3", "retried", null, T0 + 5), null);
        nodeA.append(retry.message(), retry);
        assertThat(retry.awaitStored(true)).isEqualTo(orphan3);
        StoredMessage next = append(nodeB, new NewMessage(9, 200, 1, "next", "next", null, T0 + 6));

        assertThat(next.seq()).isEqualTo(4);
        assertThat(nodeA.lastSeq(9)).isEqualTo(4);
        assertThat(readAll(nodeA, 9)).containsExactly(one, orphan2, orphan3, next);
        // The keys of the orphans were repaired: a retry on a node that never saw them is recognized too.
        AppendProbe late = new AppendProbe(new NewMessage(9, 300, 1, "orphan-2", "late retry", null, T0 + 7), null);
        nodeB.append(late.message(), late);
        assertThat(late.awaitStored(true)).isEqualTo(orphan2);
    }

    private String keyspace() {
        return TestStores.keyspaceOf(dir);
    }

    private static StoredMessage append(MessageStore store, NewMessage m) {
        AppendProbe p = new AppendProbe(m, null);
        store.append(m, p);
        return p.awaitStored(false);
    }

    private static List<StoredMessage> readAll(MessageStore store, long conversationId) {
        List<StoredMessage> all = new ArrayList<>();
        long from = 0;
        while (true) {
            List<StoredMessage> page = store.after(conversationId, from, Limits.MAX_PAGE_LIMIT);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            from = page.getLast().seq();
        }
    }
}
