package dev.parley.messaging.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.parley.cassandra.CassandraErrors;
import dev.parley.cassandra.CassandraMigrator.Migration;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.SystemEvent;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The tables of the message store (see the package description), their prepared statements, and the mapping of
 * rows to {@link StoredMessage}. Shared by the writers and the readers; every method is thread-safe.
 */
final class MessageTables {
    /** Version 1: messages in bounded partitions, idempotency keys, last seqs, store settings. */
    static final Migration V1 = new Migration(1, "messages, message_keys, conversation_heads, settings", List.of("""
        CREATE TABLE IF NOT EXISTS {ks}.messages (
            conversation_id  bigint,
            bucket           bigint,
            seq              bigint,
            id               bigint,
            sender_user_id   bigint,
            sender_device_id bigint,
            client_msg_id    text,
            body             text,
            media_json       text,
            ts               bigint,
            system_json      text,
            PRIMARY KEY ((conversation_id, bucket), seq)
        ) WITH CLUSTERING ORDER BY (seq ASC) AND ID = {id:messages}""", """
        CREATE TABLE IF NOT EXISTS {ks}.message_keys (
            sender_user_id  bigint,
            client_msg_id   text,
            conversation_id bigint,
            seq             bigint,
            id              bigint,
            PRIMARY KEY ((sender_user_id, client_msg_id))
        ) WITH ID = {id:message_keys}""", """
        CREATE TABLE IF NOT EXISTS {ks}.conversation_heads (
            conversation_id bigint PRIMARY KEY,
            last_seq        bigint
        ) WITH ID = {id:conversation_heads}""", """
        CREATE TABLE IF NOT EXISTS {ks}.settings (
            name  text PRIMARY KEY,
            value text
        ) WITH ID = {id:settings}"""));
    static final List<Migration> MIGRATIONS = List.of(V1);

    private static final String COLUMNS = "conversation_id, seq, id, sender_user_id, sender_device_id, client_msg_id,"
        + " body, media_json, ts, system_json";
    private static final ObjectWriter MEDIA_WRITER = FrameCodec.newMapper().writerFor(MediaRef.class);
    private static final ObjectReader MEDIA_READER = FrameCodec.newMapper().readerFor(MediaRef.class);
    private static final ObjectWriter SYSTEM_WRITER = FrameCodec.newMapper().writerFor(SystemEvent.class);
    private static final ObjectReader SYSTEM_READER = FrameCodec.newMapper().readerFor(SystemEvent.class);

    final CqlSession session;
    final String keyspace;
    final long bucketSize;
    private final ConsistencyLevel serial;
    private final PreparedStatement insertIfNotExists;
    private final PreparedStatement selectFrom;
    private final PreparedStatement selectDownFrom;
    private final PreparedStatement selectOne;
    private final PreparedStatement selectSenders;
    private final PreparedStatement selectKey;
    private final PreparedStatement insertKey;
    private final PreparedStatement selectHead;
    private final PreparedStatement updateHead;
    final PreparedStatement insertSetting;

    MessageTables(CqlSession session, String keyspace, int bucketSize, ConsistencyLevel serial) {
        this.session = session;
        this.keyspace = keyspace;
        this.bucketSize = bucketSize;
        this.serial = serial;
        String ks = keyspace + ".";
        insertIfNotExists = session.prepare("INSERT INTO " + ks + "messages (conversation_id, bucket, seq, id,"
            + " sender_user_id, sender_device_id, client_msg_id, body, media_json, ts, system_json)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        selectFrom = session.prepare("SELECT " + COLUMNS + " FROM " + ks + "messages"
            + " WHERE conversation_id = ? AND bucket = ? AND seq >= ? LIMIT ?");
        selectDownFrom = session.prepare("SELECT " + COLUMNS + " FROM " + ks + "messages"
            + " WHERE conversation_id = ? AND bucket = ? AND seq <= ? ORDER BY seq DESC LIMIT ?");
        selectOne = session.prepare("SELECT " + COLUMNS + " FROM " + ks + "messages"
            + " WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        selectSenders = session.prepare("SELECT sender_user_id FROM " + ks + "messages"
            + " WHERE conversation_id = ? AND bucket = ? AND seq > ? AND seq <= ?");
        selectKey = session.prepare("SELECT conversation_id, seq FROM " + ks + "message_keys"
            + " WHERE sender_user_id = ? AND client_msg_id = ?");
        insertKey = session.prepare("INSERT INTO " + ks + "message_keys (sender_user_id, client_msg_id,"
            + " conversation_id, seq, id) VALUES (?, ?, ?, ?, ?)");
        selectHead = session.prepare("SELECT last_seq FROM " + ks + "conversation_heads WHERE conversation_id = ?");
        // The write timestamp is the seq itself: of all writes of a head, the highest seq wins, whatever order they
        // arrive in, so a late writer can never move a head back.
        updateHead = session.prepare("UPDATE " + ks + "conversation_heads USING TIMESTAMP ? SET last_seq = ?"
            + " WHERE conversation_id = ?");
        insertSetting = session.prepare("INSERT INTO " + ks + "settings (name, value) VALUES (?, ?) IF NOT EXISTS");
    }

    // ---- seq arithmetic

    long bucket(long seq) {
        return (seq - 1) / bucketSize;
    }

    long bucketStart(long bucket) {
        return bucket * bucketSize + 1;
    }

    long bucketEnd(long bucket) {
        return (bucket + 1) * bucketSize;
    }

    // ---- writes

    /** The conditional insert of one message (part of a conditional batch, or alone). */
    BoundStatement insert(StoredMessage m, String mediaJson, String systemJson) {
        return insertIfNotExists.bind(m.conversationId(), bucket(m.seq()), m.seq(), m.id(), m.senderUserId(),
            m.senderDeviceId(), m.clientMsgId(), m.body(), mediaJson, m.ts(), systemJson);
    }

    /** One Paxos round for these inserts, all in one partition: all of them are applied or none. */
    static Statement<?> conditional(List<BoundStatement> inserts) {
        if (inserts.size() == 1) {
            return inserts.getFirst();
        }
        return BatchStatement.newInstance(BatchType.UNLOGGED, inserts.toArray(new BoundStatement[0]));
    }

    /** Writes the idempotency key of a stored message (idempotent: retried once on a transient failure). */
    CompletionStage<AsyncResultSet> writeKey(StoredMessage m) {
        return retriedOnce(insertKey.bind(m.senderUserId(), m.clientMsgId(), m.conversationId(), m.seq(), m.id())
            .setIdempotent(true));
    }

    /** Raises the recorded last seq of a conversation (idempotent: retried once on a transient failure). */
    CompletionStage<AsyncResultSet> writeHead(long conversationId, long lastSeq) {
        return retriedOnce(updateHead.bind(lastSeq, lastSeq, conversationId).setIdempotent(true));
    }

    private CompletionStage<AsyncResultSet> retriedOnce(BoundStatement idempotent) {
        return session.executeAsync(idempotent).exceptionallyCompose(e -> CassandraErrors.isTransient(e)
            ? session.executeAsync(idempotent) : CompletableFuture.failedStage(e));
    }

    // ---- reads

    /** The last seq recorded for a conversation, 0 without any. */
    CompletionStage<Long> head(long conversationId) {
        return session.executeAsync(selectHead.bind(conversationId).setIdempotent(true)).thenApply(rs -> {
            Row row = rs.one();
            return row == null || row.isNull(0) ? 0L : row.getLong(0);
        });
    }

    /** Where the message with this idempotency key is: {conversationId, seq}, or null. */
    CompletionStage<long[]> key(long senderUserId, String clientMsgId) {
        return session.executeAsync(selectKey.bind(senderUserId, clientMsgId).setIdempotent(true)).thenApply(rs -> {
            Row row = rs.one();
            return row == null ? null : new long[] {row.getLong(0), row.getLong(1)};
        });
    }

    /** The message at this seq, or null. */
    CompletionStage<StoredMessage> one(long conversationId, long seq) {
        return session.executeAsync(selectOne.bind(conversationId, bucket(seq), seq).setIdempotent(true))
            .thenApply(rs -> {
                Row row = rs.one();
                return row == null ? null : read(row);
            });
    }

    /** Up to {@code limit} messages of one bucket with {@code seq >= from}, ascending. */
    List<StoredMessage> fromInBucket(long conversationId, long from, int limit) {
        return list(session.execute(selectFrom.bind(conversationId, bucket(from), from, limit).setIdempotent(true)
            .setPageSize(Math.max(limit, 1))));
    }

    /** Up to {@code limit} messages of one bucket with {@code seq <= to}, descending. */
    List<StoredMessage> downFromInBucket(long conversationId, long to, int limit) {
        return list(session.execute(selectDownFrom.bind(conversationId, bucket(to), to, limit).setIdempotent(true)
            .setPageSize(Math.max(limit, 1))));
    }

    /** How many messages of one bucket with {@code after < seq <= upTo} were not sent by {@code sender}. */
    long countOthersInBucket(long conversationId, long bucket, long after, long upTo, long sender) {
        long n = 0;
        for (Row row : session.execute(selectSenders.bind(conversationId, bucket, after, upTo).setIdempotent(true))) {
            if (row.getLong(0) != sender) {
                n++;
            }
        }
        return n;
    }

    /**
     * Every message from {@code from} on, read with a Paxos read ({@code SERIAL}): it completes any write still in
     * progress on those partitions, so what it returns is final, and a write it does not show can no longer succeed.
     * Follows the conversation into the next bucket while a bucket is full.
     */
    CompletionStage<List<StoredMessage>> discover(long conversationId, long from) {
        return discover(conversationId, from, new ArrayList<>());
    }

    private CompletionStage<List<StoredMessage>> discover(long conversationId, long from, List<StoredMessage> into) {
        long bucket = bucket(from);
        int limit = (int) (bucketEnd(bucket) - from + 1);
        BoundStatement read = selectFrom.bind(conversationId, bucket, from, limit).setConsistencyLevel(serial)
            .setPageSize(limit).setIdempotent(true);
        return session.executeAsync(read).thenCompose(rs -> {
            StoredMessage last = null;
            for (Row row : rs.currentPage()) {
                last = read(row);
                into.add(last);
            }
            if (last != null && last.seq() == bucketEnd(bucket)) {
                return discover(conversationId, last.seq() + 1, into);
            }
            return CompletableFuture.completedFuture(into);
        });
    }

    private static List<StoredMessage> list(Iterable<Row> rows) {
        List<StoredMessage> result = new ArrayList<>();
        for (Row row : rows) {
            result.add(read(row));
        }
        return result;
    }

    static StoredMessage read(Row row) {
        return new StoredMessage(row.getLong(0), row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4),
            row.getString(5), row.getString(6), media(row.getString(7)), row.getLong(8), system(row.getString(9)));
    }

    // ---- JSON columns

    static String mediaJson(MediaRef media) {
        return media == null ? null : json(MEDIA_WRITER, media);
    }

    static String systemJson(SystemEvent system) {
        return system == null ? null : json(SYSTEM_WRITER, system);
    }

    private static String json(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MediaRef media(String json) {
        return json == null ? null : parse(MEDIA_READER, json, "media_json", "a MediaRef");
    }

    private static SystemEvent system(String json) {
        return json == null ? null : parse(SYSTEM_READER, json, "system_json", "a SystemEvent");
    }

    private static <T> T parse(ObjectReader reader, String json, String column, String expected) {
        try {
            return reader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(column + ": unreadable (expected: " + expected + " as JSON): "
                + e.getOriginalMessage(), e);
        }
    }

    /** The UTF-8 size of a string (0 for null), to keep conditional batches under the server's limit. */
    static int utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
