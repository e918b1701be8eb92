package dev.parley.messaging.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.parley.core.StorageException;
import dev.parley.messaging.AppendProbe;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.ErrorCode;
import dev.parley.testkit.CassandraExtension;
import dev.parley.testkit.Race;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What the store does when Cassandra hangs, is unreachable, or holds a keyspace it must not use. */
@ExtendWith(CassandraExtension.class)
class CassandraMessageStoreFailureTest {
    private static final long T0 = 1_760_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void hungCassandraFailsAppendsWithinBoundedTimeAcknowledgesNothingUnstoredAndRecovers() {
        CassandraMessageStoreConfig config = TestStores.config(TestStores.keyspaceOf(dir)).withRequestTimeoutMs(1000);
        CassandraExtension.Server server = CassandraExtension.server();
        try (CassandraMessageStore store = TestStores.open(dir, config, 1)) {
            List<AppendProbe> acknowledged = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                acknowledged.add(append(store, message("before-" + i)));
            }
            acknowledged.forEach(p -> p.awaitStored(false));

            List<AppendProbe> during = new ArrayList<>();
            long paused = System.nanoTime();
            server.pause();
            try {
                for (int i = 0; i < 30; i++) {
                    during.add(append(store, message("during-" + i)));
                }
                for (AppendProbe p : during) {
                    AppendProbe.Result r = p.await();
                    assertThat(r.error()).as("append of %s while Cassandra hangs", p.message().clientMsgId())
                        .isInstanceOf(StorageException.class);
                    assertThat(((StorageException) r.error()).code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(r.error().getMessage()).contains("cassandra");
                }
                long failedAfterMs = (System.nanoTime() - paused) / 1_000_000;
                System.out.printf("30 appends to a hung Cassandra all failed (unavailable) within %d ms%n",
                    failedAfterMs);
                assertThat(failedAfterMs).isLessThan(15_000);
                assertThatThrownBy(() -> store.lastSeq(1)).isInstanceOf(StorageException.class)
                    .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
            } finally {
                server.resume();
            }

            long resumed = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> append(store, message("probe-" + System.nanoTime())).await().error() == null);
            System.out.printf("appends work again %d ms after Cassandra resumed%n",
                (System.nanoTime() - resumed) / 1_000_000);

            // Failed appends may or may not be stored (a request the hung node held may run once it resumes), but
            // retried with the same key each one is stored exactly once, and no seq is lost or given twice.
            for (AppendProbe p : during) {
                AppendProbe retry = append(store, p.message());
                assertThat(retry.await().error()).isNull();
            }
            List<StoredMessage> all = store.after(1, 0, 200);
            assertThat(all).extracting(StoredMessage::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, all.size()).boxed().toList());
            assertThat(all).extracting(StoredMessage::clientMsgId).doesNotHaveDuplicates()
                .containsAll(during.stream().map(p -> p.message().clientMsgId()).toList());
            for (AppendProbe p : acknowledged) {
                assertThat(all).contains(p.await().message());
            }
            assertThat(store.lastSeq(1)).isEqualTo(all.size());
        }
    }

    @Test
    void unreachableClusterFailsTheStartClearly() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CassandraMessageStoreConfig config = CassandraMessageStoreConfig.defaults(
            List.of(new InetSocketAddress("127.0.0.1", closedPort)), "datacenter1", "parley");

        assertThatThrownBy(() -> TestStores.open(dir, config, 1)).isInstanceOf(StorageException.class)
            .hasMessageContaining("127.0.0.1:" + closedPort)
            .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void keyspaceMadeWithAnotherBucketSizeIsRefused() {
        CassandraMessageStoreConfig config = TestStores.config(TestStores.keyspaceOf(dir));
        TestStores.open(dir, config, 1).close();

        assertThatThrownBy(() -> TestStores.open(dir, config.withBuckets(10, config.batchMaxBytes()), 1))
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("bucket.size: 10 (expected: " + config.bucketSize());
    }

    @Test
    void keyspaceOfANewerSchemaVersionIsRefused() {
        String keyspace = TestStores.keyspaceOf(dir);
        TestStores.open(dir, TestStores.config(keyspace), 1).close();
        try (CqlSession raw = TestStores.session()) {
            raw.execute("INSERT INTO " + keyspace + ".schema_migrations (version, state) VALUES (99, 'done')");
        }

        assertThatThrownBy(() -> TestStores.open(dir, TestStores.config(keyspace), 1))
            .isInstanceOf(StorageException.class).hasMessageContaining("schema version 99 (this Parley knows up to 1)");
    }

    @Test
    void nodesStartingAtOnceOnANewKeyspaceAgreeOnOneSchema() {
        CassandraMessageStoreConfig config = TestStores.config(TestStores.keyspaceOf(dir));

        List<Race.Outcome<CassandraMessageStore>> opened = Race.run(3, i -> TestStores.open(dir, config, 10 + i));

        try {
            assertThat(opened).allSatisfy(o -> assertThat(o.error()).isNull());
            Map<Integer, StoredMessage> stored = new HashMap<>();
            for (int i = 0; i < opened.size(); i++) {
                stored.put(i, append(opened.get(i).value(), message("node-" + i)).awaitStored(false));
            }
            assertThat(stored.values()).extracting(StoredMessage::seq).containsExactlyInAnyOrder(1L, 2L, 3L);
            try (CqlSession raw = TestStores.session()) {
                assertThat(raw.execute("SELECT version, state FROM " + config.keyspace() + ".schema_migrations").all())
                    .singleElement().satisfies(row -> {
                        assertThat(row.getInt("version")).isEqualTo(1);
                        assertThat(row.getString("state")).isEqualTo("done");
                    });
            }
        } finally {
            opened.stream().filter(Race.Outcome::succeeded).forEach(o -> o.value().close());
        }
    }

    private static NewMessage message(String clientMsgId) {
        return new NewMessage(1, 100, 1, clientMsgId, "body of " + clientMsgId, null, T0);
    }

    private static AppendProbe append(CassandraMessageStore store, NewMessage m) {
        AppendProbe p = new AppendProbe(m, null);
        store.append(m, p);
        return p;
    }
}
