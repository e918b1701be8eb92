package dev.parley.messaging.sqlite;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.Resources;
import dev.parley.core.StorageException;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import dev.parley.sqlite.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded {@link MessageStore}: one SQLite file in WAL mode with {@code synchronous=FULL} (schema in the
 * package description).
 *
 * <p>{@link #append} only queues. One writer thread commits up to {@code batch.max} queued appends per transaction,
 * so that many messages share one fsync, then calls their listeners in queue order on that thread. Seqs come from
 * an in-memory cache of each conversation's last seq (bounded; a miss reads {@code max(seq)}), which also answers
 * {@link #lastSeq} without touching the file. Reads use a pool of read-only connections and never wait for the
 * writer. A listener that {@link #append} fails at once (store closed, queue full) runs on the caller's thread.
 *
 * <p>One process per file: the seq cache assumes this store is the file's only writer.
 */
public final class SqliteMessageStore implements MessageStore {
    /** Version 1: messages with their idempotency keys. */
    private static final List<String> V1 = List.of("""
        CREATE TABLE messages (
            conversation_id  INTEGER NOT NULL,
            seq              INTEGER NOT NULL,
            id               INTEGER NOT NULL,
            sender_user_id   INTEGER NOT NULL,
            sender_device_id INTEGER NOT NULL,
            client_msg_id    TEXT    NOT NULL,
            body             TEXT,
            media_json       TEXT,
            ts               INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        ) WITHOUT ROWID, STRICT""",
        "CREATE UNIQUE INDEX messages_by_client_msg_id ON messages (sender_user_id, client_msg_id)");
    /** Version 2: system messages (group changes). */
    private static final List<String> V2 = List.of("ALTER TABLE messages ADD COLUMN system_json TEXT");

    static final List<List<String>> MIGRATIONS = List.of(V1, V2);
    static final int SCHEMA_VERSION = MIGRATIONS.size();

    private final SqliteDatabase db;
    private final BlockingQueue<MessageWriter.Request> queue;
    private final Cache<Long, SeqSlot> seqs;
    private final Thread writerThread;
    /** Appenders between their check of {@link #closed} and their offer: close waits for them. */
    private final AtomicInteger appending = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final int queueMax;
    private volatile boolean closed;

    /** Opens (or creates) the store in this file with default settings. */
    public SqliteMessageStore(Path file, Resources resources) {
        this(SqliteMessageStoreConfig.defaults(file), resources);
    }

    public SqliteMessageStore(SqliteMessageStoreConfig config, Resources resources) {
        this.db = SqliteDatabase.open(config.file(), config.databaseOptions());
        this.queueMax = config.queueMax();
        this.queue = new LinkedBlockingQueue<>(config.queueMax());
        // Maintenance on the calling thread: no hidden pool, and eviction happens as entries are added.
        this.seqs = Caffeine.newBuilder().maximumSize(config.seqCacheMax()).executor(Runnable::run).build();
        MessageWriter writer;
        try {
            db.migrate(MIGRATIONS);
            writer = new MessageWriter(db, queue, seqs, resources.ids(), config.batchMax());
        } catch (SQLException e) {
            db.close();
            throw db.failure("opening the message store", e);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        this.writerThread = new Thread(() -> {
            try {
                writer.run();
            } finally {
                writerExited();
            }
        }, "parley-messages-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    @Override
    public void append(NewMessage message, AppendListener listener) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(listener, "listener");
        StorageException rejected;
        appending.incrementAndGet();
        try {
            if (closed) {
                rejected = new StorageException(dev.parley.protocol.ErrorCode.UNAVAILABLE,
                    "message store " + db.file() + " is closed (expected: an open store)", null);
            } else if (queue.offer(new MessageWriter.Request(message, listener))) {
                return;
            } else {
                rejected = new StorageException(dev.parley.protocol.ErrorCode.UNAVAILABLE,
                    "message store " + db.file() + " is overloaded: " + queueMax
                    + " appends wait for the disk (expected: fewer than queue.max); retry later", null);
            }
        } finally {
            appending.decrementAndGet();
        }
        MessageWriter.fail(listener, rejected); // outside the count, so that close() never waits for a listener
    }

    @Override
    public List<StoredMessage> after(long conversationId, long afterSeq, int limit) {
        checkLimit(limit);
        return read("after", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MessageRows.COLUMNS
                + " FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, conversationId);
                ps.setLong(2, afterSeq);
                ps.setInt(3, limit);
                return messages(ps, limit);
            }
        });
    }

    @Override
    public List<StoredMessage> before(long conversationId, long beforeSeq, int limit) {
        checkLimit(limit);
        List<StoredMessage> newestFirst = read("before", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MessageRows.COLUMNS
                + " FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?")) {
                ps.setLong(1, conversationId);
                ps.setLong(2, beforeSeq);
                ps.setInt(3, limit);
                return messages(ps, limit);
            }
        });
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    @Override
    public long lastSeq(long conversationId) {
        SeqSlot slot = seqs.getIfPresent(conversationId);
        if (slot != null) {
            return slot.committed;
        }
        return read("lastSeq", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT max(seq) FROM messages WHERE conversation_id = ?")) {
                ps.setLong(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public long countAfter(long conversationId, long afterSeq, long excludingSender) {
        return read("countAfter", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM messages"
                + " WHERE conversation_id = ? AND seq > ? AND sender_user_id <> ?")) {
                ps.setLong(1, conversationId);
                ps.setLong(2, afterSeq);
                ps.setLong(3, excludingSender);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public Map<Long, Long> lastSeqs(Collection<Long> conversationIds) {
        Map<Long, Long> result = new HashMap<>();
        List<Long> misses = new ArrayList<>();
        for (Long id : conversationIds) {
            SeqSlot slot = seqs.getIfPresent(id);
            if (slot != null) {
                result.put(id, slot.committed);
            } else {
                misses.add(id);
            }
        }
        if (misses.isEmpty()) {
            return result;
        }
        // One statement for all the misses: an index seek per conversation, no parameter limit.
        return read("lastSeqs", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT j.value,"
                + " (SELECT max(seq) FROM messages WHERE conversation_id = j.value) FROM json_each(?) j")) {
                ps.setString(1, SqliteDatabase.jsonArray(misses));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.put(rs.getLong(1), rs.getLong(2)); // NULL max (no message) reads as 0
                    }
                }
                return result;
            }
        });
    }

    @Override
    public Map<Long, StoredMessage> lastMessages(Collection<Long> conversationIds) {
        if (conversationIds.isEmpty()) {
            return Map.of();
        }
        return read("lastMessages", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MessageRows.M_COLUMNS + " FROM json_each(?) j"
                + " JOIN messages m ON m.conversation_id = j.value"
                + " AND m.seq = (SELECT max(seq) FROM messages WHERE conversation_id = j.value)")) {
                ps.setString(1, SqliteDatabase.jsonArray(new LinkedHashSet<>(conversationIds)));
                Map<Long, StoredMessage> result = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        StoredMessage m = MessageRows.read(rs);
                        result.put(m.conversationId(), m);
                    }
                }
                return result;
            }
        });
    }

    /**
     * Stops taking appends, commits those already queued (their listeners are called before this returns), and
     * closes the file. MUST NOT be called from a listener.
     */
    @Override
    public void close() {
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException("close() called from an append listener (expected: another thread)");
        }
        if (closeStarted.compareAndSet(false, true)) {
            closed = true;
            // An appender that saw closed == false is about to offer: let it, so that its append is written.
            while (appending.get() != 0) {
                Thread.onSpinWait();
            }
            boolean interrupted = false;
            while (true) {
                try {
                    queue.put(MessageWriter.STOP);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            interrupted |= joinWriter();
            db.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } else if (joinWriter()) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the writer thread to end; true if interrupted meanwhile. */
    private boolean joinWriter() {
        boolean interrupted = false;
        while (writerThread.isAlive()) {
            try {
                writerThread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    /** Whatever ended the writer, appends that can no longer be written are failed rather than left waiting. */
    private void writerExited() {
        closed = true;
        while (appending.get() != 0) {
            Thread.onSpinWait();
        }
        List<MessageWriter.Request> left = new ArrayList<>();
        queue.drainTo(left);
        MessageWriter.failAll(left, new StorageException("message store " + db.file()
            + " is closed (expected: an open store)", null));
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
    }

    private static List<StoredMessage> messages(PreparedStatement ps, int limit) throws SQLException {
        List<StoredMessage> result = new ArrayList<>(Math.min(limit, 256));
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(MessageRows.read(rs));
            }
        }
        return result;
    }

    private <T> T read(String operation, SqlWork<T> work) {
        try (Connection c = db.reader()) {
            return work.run(c);
        } catch (SQLException e) {
            throw db.failure(operation, e);
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
