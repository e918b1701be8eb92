package dev.parley.messaging.cassandra;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.github.benmanes.caffeine.cache.Cache;
import dev.parley.cassandra.CassandraErrors;
import dev.parley.core.IdGenerator;
import dev.parley.core.StorageException;
import dev.parley.messaging.MessageStore.AppendListener;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import dev.parley.messaging.cassandra.Lane.Append;
import dev.parley.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer thread. The store sends every append of a conversation to the same writer, so that inside this node a
 * conversation has a single writer and its listeners are called in order, from this thread only.
 *
 * <p>A cycle takes up to {@code batchMax} queued appends and handles all their conversations at once (one request
 * per conversation in flight at a time, many conversations in parallel):
 * <ol>
 *   <li>the last seq of each conversation not in the cache is read from {@code conversation_heads};</li>
 *   <li>the idempotency key of each append is looked up in {@code message_keys}: a hit is a duplicate;</li>
 *   <li>the new messages get the seqs after the last one and are written with {@code INSERT ... IF NOT EXISTS}, as a
 *       conditional batch per bucket (one Paxos round for many messages). If another node took one of these seqs,
 *       or the outcome is unknown (timeout), a Paxos read ({@link MessageTables#discover}) shows what is really
 *       there: own rows (by id) are stored, rows with the key of a pending append make it a duplicate, and the
 *       rest is retried after the true last seq;</li>
 *   <li>the keys of every stored or discovered message are written to {@code message_keys}, then the new last seq
 *       to {@code conversation_heads}: whoever sees a head there also finds the keys of the messages below it;</li>
 *   <li>the listeners are called, per conversation in seq order.</li>
 * </ol>
 */
final class MessageWriter implements Runnable {
    /** Put last on the queue by {@link CassandraMessageStore#close}: write what is before it, then stop. */
    static final Request STOP = new Request(null, null);
    private static final int ROW_OVERHEAD_BYTES = 100;
    private static final Logger log = LoggerFactory.getLogger(MessageWriter.class);

    private final MessageTables tables;
    private final BlockingQueue<Request> queue;
    private final Cache<Long, Long> heads;
    private final IdGenerator ids;
    private final int batchMax;
    private final int batchMaxBytes;
    private final int maxAttempts;
    private final LongAdder conflicts;

    MessageWriter(MessageTables tables, BlockingQueue<Request> queue, Cache<Long, Long> heads, IdGenerator ids,
                  CassandraMessageStoreConfig config, LongAdder conflicts) {
        this.conflicts = conflicts;
        this.tables = tables;
        this.queue = queue;
        this.heads = heads;
        this.ids = ids;
        this.batchMax = config.batchMax();
        this.batchMaxBytes = config.batchMaxBytes();
        this.maxAttempts = config.maxAttempts();
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
                    cycle(batch);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failAll(batch, new StorageException(ErrorCode.UNAVAILABLE, "message writer interrupted", e));
        }
    }

    /** Writes one batch of appends and calls each listener exactly once; never throws. */
    void cycle(List<Request> batch) {
        Map<Long, Lane> lanes = new LinkedHashMap<>();
        List<Append> all = new ArrayList<>(batch.size());
        Map<String, Append> byKey = new HashMap<>();
        for (Request r : batch) {
            Append a = new Append(r.message(), r.listener());
            all.add(a);
            lanes.computeIfAbsent(a.message.conversationId(), Lane::new).appends.add(a);
            a.original = byKey.putIfAbsent(a.message.senderUserId() + ":" + a.message.clientMsgId(), a);
        }
        try {
            long t0 = System.nanoTime();
            loadHeads(lanes);
            long t1 = System.nanoTime();
            lookUpKeys(lanes);
            long t2 = System.nanoTime();
            int turns = 0;
            while (write(lanes)) {
                turns++;
            }
            long t3 = System.nanoTime();
            index(lanes);
            long t4 = System.nanoTime();
            if (log.isDebugEnabled()) {
                log.debug("cycle of {} appends to {} conversations: heads {} µs, keys {} µs, {} write turns {} µs,"
                    + " index {} µs", batch.size(), lanes.size(), (t1 - t0) / 1000, (t2 - t1) / 1000, turns,
                    (t3 - t2) / 1000, (t4 - t3) / 1000);
            }
        } catch (RuntimeException e) {
            // A bug, not a Cassandra failure (those are handled per conversation): fail what is not settled.
            log.error("message writer cycle failed", e);
            StorageException error = new StorageException("message writer failed: " + e, e);
            for (Lane lane : lanes.values()) {
                lane.invalidate = true;
                lane.pending.clear();
            }
            for (Append a : all) {
                // Only a duplicate's answer is certain here; anything else may or may not be stored and indexed.
                if (a.original == null && !(a.duplicate && a.result != null)) {
                    a.result = null;
                    a.error = error;
                }
            }
        }
        for (Lane lane : lanes.values()) {
            if (lane.invalidate || lane.head < 0) {
                heads.invalidate(lane.conversationId);
            } else {
                heads.put(lane.conversationId, lane.head);
            }
        }
        for (Lane lane : lanes.values()) {
            for (Append a : lane.appends) {
                report(a);
            }
        }
    }

    /** Step 1: the last seq of each conversation, from the cache or the heads table. */
    private void loadHeads(Map<Long, Lane> lanes) {
        Map<Lane, CompletionStage<Long>> reads = new LinkedHashMap<>();
        for (Lane lane : lanes.values()) {
            Long cached = heads.getIfPresent(lane.conversationId);
            if (cached != null) {
                lane.head = lane.initialHead = cached;
            } else {
                reads.put(lane, tables.head(lane.conversationId));
            }
        }
        awaitAll(reads, (lane, head) -> lane.head = lane.initialHead = head, (lane, e) -> failLane(lane,
            "reading the last seq of conversation " + lane.conversationId, e));
    }

    /** Step 2: duplicates of messages stored before (in this or another cycle, on this or another node). */
    private void lookUpKeys(Map<Long, Lane> lanes) {
        Map<Append, CompletionStage<long[]>> lookups = new LinkedHashMap<>();
        for (Lane lane : lanes.values()) {
            for (Append a : lane.appends) {
                if (!a.resolved() && a.original == null) {
                    lookups.put(a, tables.key(a.message.senderUserId(), a.message.clientMsgId()));
                }
            }
        }
        Map<Append, CompletionStage<StoredMessage>> originals = new LinkedHashMap<>();
        // A failed lookup fails its whole conversation: storing the appends after it would reorder a sender's
        // messages once the failed one is retried.
        Map<Lane, Throwable> failed = new LinkedHashMap<>();
        awaitAll(lookups, (a, where) -> {
            if (where != null) {
                originals.put(a, tables.one(where[0], where[1]));
            }
        }, (a, e) -> failed.putIfAbsent(lanes.get(a.message.conversationId()), e));
        awaitAll(originals, (a, m) -> {
            if (m == null) {
                a.error = new StorageException("cassandra: message_keys points " + describe(a.message) + " to a "
                    + "message that does not exist (expected: messages are never deleted)", null);
            } else {
                a.result = m;
                a.duplicate = true;
            }
        }, (a, e) -> failed.putIfAbsent(lanes.get(a.message.conversationId()), e));
        failed.forEach((lane, e) -> failLane(lane, "looking up idempotency keys in conversation "
            + lane.conversationId, e));
        for (Lane lane : lanes.values()) {
            for (Append a : lane.appends) {
                if (!a.resolved() && a.original == null && lane.head >= 0) {
                    a.mediaJson = MessageTables.mediaJson(a.message.media());
                    a.systemJson = MessageTables.systemJson(a.message.system());
                    a.bytes = ROW_OVERHEAD_BYTES + MessageTables.utf8Length(a.message.clientMsgId())
                        + MessageTables.utf8Length(a.message.body()) + MessageTables.utf8Length(a.mediaJson)
                        + MessageTables.utf8Length(a.systemJson);
                    lane.pending.add(a);
                }
            }
        }
    }

    /**
     * Step 3, one turn: per conversation with messages left, one conditional write of the next messages into the
     * seqs after its head (never across a bucket boundary), then, for those not applied, a Paxos read of what is
     * there instead.
     *
     * @return whether another turn is needed
     */
    private boolean write(Map<Long, Lane> lanes) {
        Map<Lane, CompletionStage<AsyncResultSet>> writes = new LinkedHashMap<>();
        for (Lane lane : lanes.values()) {
            if (lane.pending.isEmpty()) {
                continue;
            }
            if (lane.attempts >= maxAttempts) {
                lane.failPending(new StorageException(ErrorCode.UNAVAILABLE, "cassandra: conversation "
                    + lane.conversationId + " is contended: " + maxAttempts + " conditional writes in a row were not "
                    + "applied; retry later", null));
                continue;
            }
            writes.put(lane, tables.session.executeAsync(MessageTables.conditional(chunk(lane))));
        }
        if (writes.isEmpty()) {
            return false;
        }
        Map<Lane, CompletionStage<List<StoredMessage>>> discoveries = new LinkedHashMap<>();
        awaitAll(writes, (lane, rs) -> {
            if (rs.wasApplied()) {
                for (Append a : lane.chunk) {
                    lane.committed.add(a.result);
                    lane.pending.pollFirst(); // the chunk is the head of the pending queue
                }
                lane.head = lane.chunk.getLast().result.seq();
            } else {
                lane.attempts++;
                conflicts.increment();
                unassign(lane);
                discoveries.put(lane, tables.discover(lane.conversationId, lane.chunkFirstSeq));
            }
        }, (lane, e) -> {
            lane.attempts++;
            unassign(lane);
            if (CassandraErrors.neverSent(e)) {
                failLane(lane, "writing messages of conversation " + lane.conversationId, e);
            } else {
                // Timed out or lost: the write may still have happened. The Paxos read settles it.
                log.debug("conditional write of conversation {} failed, reading back: {}", lane.conversationId,
                    e.toString());
                discoveries.put(lane, tables.discover(lane.conversationId, lane.chunkFirstSeq));
            }
        });
        awaitAll(discoveries, this::settle, (lane, e) -> {
            lane.invalidate = true;
            lane.failPending(new StorageException(ErrorCode.UNAVAILABLE, "cassandra: the outcome of writing "
                + "messages of conversation " + lane.conversationId + " is unknown (" + CassandraErrors.unwrap(e)
                + "); a retry with the same clientMsgId stores them once", CassandraErrors.unwrap(e)));
        });
        return true;
    }

    /** The next messages of a lane that fit one conditional batch, given their seqs and attempt ids. */
    private List<BoundStatement> chunk(Lane lane) {
        long seq = lane.head + 1;
        long bucket = tables.bucket(seq);
        lane.chunkFirstSeq = seq;
        List<Append> chunk = new ArrayList<>();
        List<BoundStatement> inserts = new ArrayList<>();
        int bytes = 0;
        for (Append a : lane.pending) {
            if (!chunk.isEmpty() && (tables.bucket(seq) != bucket || bytes + a.bytes > batchMaxBytes)) {
                break;
            }
            a.attemptId = ids.next();
            a.result = StoredMessage.of(a.message, seq, a.attemptId);
            inserts.add(tables.insert(a.result, a.mediaJson, a.systemJson));
            chunk.add(a);
            bytes += a.bytes;
            seq++;
        }
        lane.chunk = chunk;
        return inserts;
    }

    /** A write that did not (or may not have) happened: its messages have no seq yet. */
    private static void unassign(Lane lane) {
        for (Append a : lane.chunk) {
            a.result = null;
        }
    }

    /** Applies what a Paxos read found after the lane's head: own messages, duplicates, and others' messages. */
    private void settle(Lane lane, List<StoredMessage> found) {
        for (StoredMessage m : found) {
            Append mine = null;
            for (Append a : lane.pending) {
                if (a.sameKey(m)) {
                    mine = a;
                    break;
                }
            }
            if (mine == null) {
                lane.discovered.add(m);
            } else if (m.id() == mine.attemptId) {
                mine.result = m; // the write whose outcome was unknown did happen
                lane.committed.add(m);
                lane.pending.remove(mine);
            } else {
                mine.result = m; // stored by another node meanwhile (a retry of the same message)
                mine.duplicate = true;
                lane.discovered.add(m);
                lane.pending.remove(mine);
            }
            lane.head = Math.max(lane.head, m.seq());
        }
    }

    /**
     * Step 4: the keys of stored and discovered messages, then the heads. A conversation whose keys or head could not
     * be written has its new messages failed (they are stored: a retry returns them as duplicates).
     */
    private void index(Map<Long, Lane> lanes) {
        Map<Lane, CompletionStage<Void>> keyWrites = new LinkedHashMap<>();
        for (Lane lane : lanes.values()) {
            if (lane.committed.isEmpty() && lane.discovered.isEmpty()) {
                continue;
            }
            List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
            for (List<StoredMessage> list : List.of(lane.committed, lane.discovered)) {
                for (StoredMessage m : list) {
                    writes.add(tables.writeKey(m).toCompletableFuture());
                }
            }
            keyWrites.put(lane, CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])));
        }
        Map<Lane, CompletionStage<AsyncResultSet>> headWrites = new LinkedHashMap<>();
        awaitAll(keyWrites, (lane, done) -> {
            if (lane.head > lane.initialHead) {
                headWrites.put(lane, tables.writeHead(lane.conversationId, lane.head));
            }
        }, this::failCommitted);
        awaitAll(headWrites, (lane, rs) -> { }, this::failCommitted);
    }

    private void failCommitted(Lane lane, Throwable e) {
        lane.invalidate = true;
        StorageException error = new StorageException(ErrorCode.UNAVAILABLE, "cassandra: messages of conversation "
            + lane.conversationId + " were stored but could not be indexed (" + CassandraErrors.unwrap(e)
            + "); a retry with the same clientMsgId returns them", CassandraErrors.unwrap(e));
        for (StoredMessage m : lane.committed) {
            for (Append a : lane.appends) {
                if (a.result == m) {
                    a.result = null;
                    a.error = error;
                }
            }
        }
        lane.committed.clear();
    }

    private void failLane(Lane lane, String what, Throwable e) {
        StorageException error = CassandraErrors.translate(what, e);
        lane.failPending(error);
        for (Append a : lane.appends) {
            if (!a.resolved() && a.original == null) {
                a.error = error;
            }
        }
    }

    /** Calls the listener of one append with its outcome, that of the append it repeats, or a failure. */
    private static void report(Append a) {
        Append source = a.original == null ? a : a.original;
        if (a.original != null && source.error == null && source.result != null) {
            a.result = source.result;
            a.duplicate = true;
        } else if (a.original != null) {
            a.error = source.error;
        }
        try {
            if (a.result != null && a.error == null) {
                a.listener.stored(a.result, a.duplicate);
            } else {
                a.listener.failed(a.error != null ? a.error : new StorageException("cassandra: append of "
                    + describe(a.message) + " was left without an outcome (a bug)", null));
            }
        } catch (Throwable t) {
            log.warn("append listener failed for {}", describe(a.message), t);
        }
    }

    /** Waits for every stage and hands each outcome to one of two callbacks, on this thread. */
    private static <K, V> void awaitAll(Map<K, ? extends CompletionStage<V>> stages, BiConsumer<K, V> ok,
                                        BiConsumer<K, Throwable> failed) {
        for (Map.Entry<K, ? extends CompletionStage<V>> e : stages.entrySet()) {
            V value;
            try {
                value = e.getValue().toCompletableFuture().join();
            } catch (RuntimeException error) {
                failed.accept(e.getKey(), CassandraErrors.unwrap(error));
                continue;
            }
            ok.accept(e.getKey(), value);
        }
    }

    static String describe(NewMessage m) {
        return "message (" + m.senderUserId() + ", \"" + m.clientMsgId() + "\") of conversation "
            + m.conversationId();
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

    /** One queued append. */
    record Request(NewMessage message, AppendListener listener) {
    }
}
