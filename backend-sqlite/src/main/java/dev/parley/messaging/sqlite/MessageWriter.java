package dev.parley.messaging.sqlite;

import com.github.benmanes.caffeine.cache.Cache;
import dev.parley.core.IdGenerator;
import dev.parley.core.StorageException;
import dev.parley.messaging.MessageStore.AppendListener;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import dev.parley.sqlite.SqliteDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes messages: it drains up to {@code batchMax} queued appends into one transaction (group
 * commit: one fsync for the whole batch), then calls their listeners in queue order. Being the only writer, it
 * hands out seqs from memory without any lock.
 */
final class MessageWriter implements Runnable {
    /** Put last on the queue by {@link SqliteMessageStore#close}: write what is before it, then stop. */
    static final Request STOP = new Request(null, null);

    private static final Logger log = LoggerFactory.getLogger(MessageWriter.class);

    private final SqliteDatabase db;
    private final BlockingQueue<Request> queue;
    private final Cache<Long, SeqSlot> seqs;
    private final IdGenerator ids;
    private final int batchMax;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement insert;
    private final PreparedStatement byKey;
    private final PreparedStatement maxSeq;

    MessageWriter(SqliteDatabase db, BlockingQueue<Request> queue, Cache<Long, SeqSlot> seqs, IdGenerator ids,
                  int batchMax) throws SQLException {
        this.db = db;
        this.queue = queue;
        this.seqs = seqs;
        this.ids = ids;
        this.batchMax = batchMax;
        Connection c = db.writer();
        this.begin = c.prepareStatement("BEGIN IMMEDIATE");
        this.commit = c.prepareStatement("COMMIT");
        // An idempotency key seen before makes the insert a no-op (update count 0) rather than an error; any other
        // conflict (a seq taken twice) still fails.
        this.insert = c.prepareStatement("INSERT INTO messages (" + MessageRows.COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender_user_id, client_msg_id) DO NOTHING");
        this.byKey = c.prepareStatement("SELECT " + MessageRows.COLUMNS
            + " FROM messages WHERE sender_user_id = ? AND client_msg_id = ?");
        this.maxSeq = c.prepareStatement("SELECT max(seq) FROM messages WHERE conversation_id = ?");
    }

    @Override
    public void run() {
        List<Request> batch = new ArrayList<>(batchMax);
        boolean stopping = false;
        try {
            while (!stopping) {
                batch.add(queue.take());
                queue.drainTo(batch, batchMax - 1);
                stopping = batch.removeIf(r -> r == STOP);
                if (!batch.isEmpty()) {
                    writeBatch(batch);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failAll(batch, new StorageException("message store writer of " + db.file() + " was interrupted", e));
        } catch (Throwable e) {
            log.error("message store writer of {} died", db.file(), e);
            failAll(batch, new StorageException("message store writer of " + db.file() + " died: " + e, e));
            throw e;
        } finally {
            closeStatements();
        }
    }

    /** Writes a batch in one transaction and reports each append; never throws for a failed write. */
    void writeBatch(List<Request> batch) {
        int n = batch.size();
        StoredMessage[] results = new StoredMessage[n];
        boolean[] duplicate = new boolean[n];
        // The slots this batch changes, even if the cache evicts one meanwhile.
        Map<Long, SeqSlot> touched = new HashMap<>();
        try {
            begin.execute();
            for (int i = 0; i < n; i++) {
                NewMessage m = batch.get(i).message();
                SeqSlot slot = slot(touched, m.conversationId());
                StoredMessage stored = StoredMessage.of(m, slot.assigned + 1, ids.next());
                if (insert(stored) == 1) {
                    slot.assigned = stored.seq();
                    results[i] = stored;
                } else {
                    results[i] = original(m);
                    duplicate[i] = true;
                }
            }
            commit.execute();
        } catch (SQLException | RuntimeException e) {
            db.rollbackQuietly(db.writer());
            // Forget what this batch handed out: the next batch reloads these conversations from the file.
            touched.forEach((conversationId, slot) -> {
                slot.assigned = slot.committed;
                seqs.invalidate(conversationId);
            });
            StorageException error = new StorageException("storing a batch of " + n + " messages failed on "
                + db.file() + " (nothing of it was stored): " + e.getMessage(), e);
            log.warn("{}", error.getMessage());
            failAll(batch, error);
            return;
        }
        // Durable now: publish the new last seqs before any listener runs, so that reads see what it is told.
        touched.forEach((conversationId, slot) -> {
            slot.committed = slot.assigned;
            seqs.put(conversationId, slot);
        });
        for (int i = 0; i < n; i++) {
            AppendListener listener = batch.get(i).listener();
            try {
                listener.stored(results[i], duplicate[i]);
            } catch (Throwable t) {
                log.warn("append listener failed for message {} of conversation {}", results[i].seq(),
                    results[i].conversationId(), t);
            }
        }
    }

    private SeqSlot slot(Map<Long, SeqSlot> touched, long conversationId) throws SQLException {
        SeqSlot slot = touched.get(conversationId);
        if (slot == null) {
            slot = seqs.getIfPresent(conversationId);
            if (slot == null) {
                maxSeq.setLong(1, conversationId);
                try (ResultSet rs = maxSeq.executeQuery()) {
                    slot = new SeqSlot(rs.next() ? rs.getLong(1) : 0);
                }
            }
            touched.put(conversationId, slot);
        }
        return slot;
    }

    private int insert(StoredMessage m) throws SQLException {
        insert.setLong(1, m.conversationId());
        insert.setLong(2, m.seq());
        insert.setLong(3, m.id());
        insert.setLong(4, m.senderUserId());
        insert.setLong(5, m.senderDeviceId());
        insert.setString(6, m.clientMsgId());
        if (m.body() == null) {
            insert.setNull(7, Types.VARCHAR);
        } else {
            insert.setString(7, m.body());
        }
        setText(8, MessageRows.mediaJson(m.media()));
        insert.setLong(9, m.ts());
        setText(10, MessageRows.systemJson(m.system()));
        return insert.executeUpdate();
    }

    private void setText(int index, String value) throws SQLException {
        if (value == null) {
            insert.setNull(index, Types.VARCHAR);
        } else {
            insert.setString(index, value);
        }
    }

    /** The stored message with the idempotency key of {@code m} (stored before, or earlier in this batch). */
    private StoredMessage original(NewMessage m) throws SQLException {
        byKey.setLong(1, m.senderUserId());
        byKey.setString(2, m.clientMsgId());
        try (ResultSet rs = byKey.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("insert of (" + m.senderUserId() + ", \"" + m.clientMsgId()
                    + "\") was skipped as a duplicate, but no message has that key (expected: one)");
            }
            return MessageRows.read(rs);
        }
    }

    /** Fails every listener of these requests (skipping {@link #STOP}). */
    static void failAll(List<Request> requests, RuntimeException error) {
        for (Request r : requests) {
            if (r != STOP) {
                fail(r.listener(), error);
            }
        }
    }

    static void fail(AppendListener listener, RuntimeException error) {
        try {
            listener.failed(error);
        } catch (Throwable t) {
            log.warn("append listener failed while handling {}", error.toString(), t);
        }
    }

    private void closeStatements() {
        for (PreparedStatement ps : List.of(begin, commit, insert, byKey, maxSeq)) {
            try {
                ps.close();
            } catch (SQLException e) {
                log.debug("closing a statement failed: {}", e.getMessage());
            }
        }
    }

    /** One queued append. */
    record Request(NewMessage message, AppendListener listener) {
    }
}
