package dev.parley.messaging.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.messaging.AppendOrderCheck;
import dev.parley.messaging.AppendProbe;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import dev.parley.testkit.CassandraExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions of three messages and conditional batches of a few hundred bytes: every read and every burst of
 * appends crosses bucket boundaries, and a burst is split into several Paxos rounds.
 */
@ExtendWith(CassandraExtension.class)
class CassandraMessageStoreBucketTest {
    private static final int BUCKET = 3;
    private static final long T0 = 1_760_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void historyReadsCrossBucketBoundaries() {
        String keyspace = TestStores.keyspaceOf(dir);
        CassandraMessageStoreConfig config = TestStores.config(keyspace).withBuckets(BUCKET, 400);
        try (CassandraMessageStore store = TestStores.open(dir, config, 1)) {
            AppendOrderCheck order = new AppendOrderCheck();
            List<AppendProbe> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                NewMessage m = new NewMessage(5, 100 + i % 3, 1, "m" + i, "message number " + i, null, T0 + i);
                AppendProbe p = new AppendProbe(m, order);
                store.append(m, p);
                burst.add(p);
            }
            List<StoredMessage> all = burst.stream().map(p -> p.awaitStored(false)).toList();
            order.assertClean();
            assertThat(all).extracting(StoredMessage::seq).containsExactly(
                1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);

            int[] limits = {1, 2, 3, 4, 5, 6, 7, 19, 20, 22};
            for (long afterSeq = -1; afterSeq <= 21; afterSeq++) {
                for (int limit : limits) {
                    int from = (int) Math.max(afterSeq, 0);
                    List<StoredMessage> expected = all.subList(Math.min(from, 20), Math.min(from + limit, 20));
                    assertThat(store.after(5, afterSeq, limit)).as("after(%d, %d)", afterSeq, limit)
                        .containsExactlyElementsOf(expected);
                }
            }
            for (long beforeSeq : new long[] {0, 1, 2, 3, 4, 5, 7, 10, 13, 19, 20, 21, 22, 100, Long.MAX_VALUE}) {
                for (int limit : limits) {
                    int to = (int) Math.min(beforeSeq - 1, 20);
                    List<StoredMessage> expected = to <= 0 ? List.of() : all.subList(Math.max(0, to - limit), to);
                    assertThat(store.before(5, beforeSeq, limit)).as("before(%d, %d)", beforeSeq, limit)
                        .containsExactlyElementsOf(expected);
                }
            }
            for (long afterSeq = -1; afterSeq <= 21; afterSeq++) {
                for (long sender = 99; sender <= 102; sender++) {
                    long s = sender;
                    long from = Math.max(afterSeq, 0);
                    long expected = all.stream().filter(m -> m.seq() > from && m.senderUserId() != s).count();
                    assertThat(store.countAfter(5, afterSeq, sender)).as("countAfter(%d, %d)", afterSeq, sender)
                        .isEqualTo(expected);
                }
            }
            assertThat(store.lastMessages(List.of(5L, 6L))).isEqualTo(Map.of(5L, all.getLast()));
            assertThat(store.lastSeq(5)).isEqualTo(20);

            // Stored where the layout says: bucket = (seq - 1) / 3, no more than three rows per partition.
            try (CqlSession raw = TestStores.session()) {
                for (Row row : raw.execute("SELECT bucket, seq FROM " + keyspace + ".messages")) {
                    assertThat(row.getLong("bucket")).isEqualTo((row.getLong("seq") - 1) / BUCKET);
                }
                for (long bucket = 0; bucket <= 6; bucket++) {
                    assertThat(raw.execute("SELECT count(*) FROM " + keyspace + ".messages WHERE conversation_id = 5"
                        + " AND bucket = " + bucket).one().getLong(0)).isEqualTo(bucket < 6 ? 3 : 2);
                }
            }
        }
    }
}
