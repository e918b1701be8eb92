package dev.parley.messaging.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.Resources;
import dev.parley.core.StorageException;
import dev.parley.messaging.AppendProbe;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the SQLite store does when the file fails it, is locked by someone else, or is from another version. */
class SqliteMessageStoreFailureTest {
    private static final Resources RESOURCES = Resources.of(5, Clock.systemUTC());

    @TempDir
    Path dir;

    @Test
    void failedCommitFailsTheWholeBatchAndLeavesNoGap() throws Exception {
        Path file = dir.resolve("messages.db");
        try (SqliteMessageStore store = new SqliteMessageStore(file, RESOURCES);
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            for (int i = 0; i < 3; i++) {
                appendAndWait(store, message(1, "before" + i, "ok"));
            }
            execute(other, "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.body = 'poison'"
                + " BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END");
            // Hold the write lock so that the appends below pile up and reach the writer as one batch.
            execute(other, "BEGIN IMMEDIATE");
            List<AppendProbe> probes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                probes.add(append(store, message(1 + i % 2, "batch" + i, i == 99 ? "poison" : "ok")));
            }
            execute(other, "COMMIT");

            List<AppendProbe.Result> results = probes.stream().map(AppendProbe::await).toList();
            List<AppendProbe.Result> failed = results.stream().filter(r -> r.error() != null).toList();
            assertThat(results.getLast().error()).isInstanceOf(StorageException.class)
                .hasMessageContaining("poisoned by the test");
            assertThat(failed).as("appends failed with the poisoned one").hasSizeGreaterThan(1)
                .allSatisfy(r -> assertThat(r.error()).isSameAs(results.getLast().error()));

            execute(other, "DROP TRIGGER poison");
            StoredMessage next1 = appendAndWait(store, message(1, "after1", "ok"));
            StoredMessage next2 = appendAndWait(store, message(2, "after2", "ok"));
            for (StoredMessage next : List.of(next1, next2)) {
                long conv = next.conversationId();
                List<Long> seqs = store.after(conv, 0, 200).stream().map(StoredMessage::seq).toList();
                assertThat(seqs).as("seqs of conversation %d", conv)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, next.seq()).boxed().toList());
                assertThat(store.lastSeq(conv)).isEqualTo(next.seq());
            }
            long storedOk = results.stream().filter(r -> r.error() == null).count();
            assertThat(next1.seq() + next2.seq()).isEqualTo(3 + storedOk + 2);
        }
    }

    @Test
    void appendFailsAtOnceWhenTheQueueIsFull() throws Exception {
        Path file = dir.resolve("messages.db");
        // One append per batch, so that the writer holds at most one while it waits for the lock.
        SqliteMessageStoreConfig config = SqliteMessageStoreConfig.defaults(file).withQueueMax(20).withBatchMax(1);
        try (SqliteMessageStore store = new SqliteMessageStore(config, RESOURCES);
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            execute(other, "BEGIN IMMEDIATE"); // the writer waits for this lock, so the queue fills up
            List<AppendProbe> probes = new ArrayList<>();
            List<AppendProbe> rejected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                AppendProbe p = append(store, message(1, "q" + i, "ok"));
                probes.add(p);
                if (p.calls() == 1) {
                    rejected.add(p);
                }
            }
            execute(other, "COMMIT");

            // 20 queued, and perhaps one more that the writer had already taken off the queue.
            assertThat(rejected).hasSizeBetween(19, 20).allSatisfy(p -> assertThat(p.await().error())
                .isInstanceOf(StorageException.class).hasMessageContaining("overloaded"));
            long stored = probes.stream().filter(p -> p.await().error() == null).count();
            assertThat(stored).isEqualTo(40 - rejected.size());
            assertThat(store.lastSeq(1)).isEqualTo(stored);
        }
    }

    @Test
    void fileOfAnotherSchemaVersionIsRefused() throws Exception {
        Path file = dir.resolve("messages.db");
        new SqliteMessageStore(file, RESOURCES).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            execute(c, "PRAGMA user_version = 99");
        }

        assertThatThrownBy(() -> new SqliteMessageStore(file, RESOURCES)).isInstanceOf(StorageException.class)
            .hasMessageContaining("schema version 99 (this Parley knows up to " + SqliteMessageStore.SCHEMA_VERSION);
    }

    private static NewMessage message(long conversationId, String clientMsgId, String body) {
        return new NewMessage(conversationId, 100, 1001, clientMsgId, body, null, 1_760_000_000_000L);
    }

    private static AppendProbe append(SqliteMessageStore store, NewMessage m) {
        AppendProbe p = new AppendProbe(m, null);
        store.append(m, p);
        return p;
    }

    private static StoredMessage appendAndWait(SqliteMessageStore store, NewMessage m) {
        return append(store, m).awaitStored(false);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
