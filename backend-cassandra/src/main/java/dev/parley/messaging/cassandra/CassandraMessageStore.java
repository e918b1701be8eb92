package dev.parley.messaging.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.cassandra.CassandraErrors;
import dev.parley.cassandra.CassandraMigrator;
import dev.parley.cassandra.CassandraSessions;
import dev.parley.core.Resources;
import dev.parley.core.StorageException;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.ErrorCode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The {@link MessageStore} in Apache Cassandra, for many server nodes sharing one cluster (schema in the package
 * description, design and failure modes in the module README).
 *
 * <p>{@link #append} only queues: each conversation belongs to one of {@code writer.threads} writer threads, which
 * commit what is queued in cycles (see {@link MessageWriter}) and call the listeners in seq order. Seqs are allocated
 * with lightweight transactions on the message rows themselves ({@code INSERT ... IF NOT EXISTS}, one conditional
 * batch per conversation and bucket), so several nodes can append to one conversation and still get dense, unique
 * seqs. Reads run on the caller's thread, at the configured consistency.
 */
public final class CassandraMessageStore implements MessageStore {
    private static final String BUCKET_SIZE_SETTING = "bucket_size";

    private final CassandraMessageStoreConfig config;
    private final CqlSession session;
    private final MessageTables tables;
    private final List<BlockingQueue<MessageWriter.Request>> queues = new ArrayList<>();
    private final List<Thread> writerThreads = new ArrayList<>();
    /** Appenders between their check of {@link #closed} and their offer: close waits for them. */
    private final AtomicInteger appending = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final LongAdder conflicts = new LongAdder();
    private volatile boolean closed;

    /**
     * Connects, creates or migrates the keyspace, and starts the writers.
     *
     * @throws StorageException when Cassandra cannot be reached or the keyspace does not fit this configuration
     */
    public CassandraMessageStore(CassandraMessageStoreConfig config, Resources resources) {
        this.config = config;
        this.session = CassandraSessions.open(new CassandraSessions.Settings("messages", config.contactPoints(),
            config.localDatacenter(), config.keyspace(), config.consistency(), config.serialConsistency(),
            Duration.ofMillis(config.requestTimeoutMs()), config.maxRequestsInFlight()));
        try {
            new CassandraMigrator(session, config.keyspace(), config.replication(), owner(resources),
                config.serialConsistency(), resources.clock()).migrate(MessageTables.MIGRATIONS);
            this.tables = new MessageTables(session, config.keyspace(), config.bucketSize(), config.serialConsistency());
            checkBucketSize();
        } catch (RuntimeException e) {
            session.close();
            throw e instanceof StorageException ? e : CassandraErrors.translate("opening the message store", e);
        }
        Cache<Long, Long> heads = Caffeine.newBuilder().maximumSize(config.seqCacheMax()).executor(Runnable::run)
            .build();
        int perQueue = Math.max(1, config.queueMax() / config.writerThreads());
        for (int i = 0; i < config.writerThreads(); i++) {
            BlockingQueue<MessageWriter.Request> queue = new LinkedBlockingQueue<>(perQueue);
            MessageWriter writer = new MessageWriter(tables, queue, heads, resources.ids(), config, conflicts);
            Thread t = new Thread(() -> {
                try {
                    writer.run();
                } finally {
                    writerExited(queue);
                }
            }, "parley-cassandra-writer-" + i);
            t.setDaemon(true);
            queues.add(queue);
            writerThreads.add(t);
        }
        writerThreads.forEach(Thread::start);
    }

    /** The keyspace remembers its bucket size: seqs would be looked for in the wrong partitions with another. */
    private void checkBucketSize() {
        ResultSet rs = session.execute(tables.insertSetting.bind(BUCKET_SIZE_SETTING,
            Integer.toString(config.bucketSize())));
        if (!rs.wasApplied()) {
            Row row = rs.one();
            String existing = row == null ? null : row.getString("value");
            if (!Integer.toString(config.bucketSize()).equals(existing)) {
                throw new StorageException(ErrorCode.INTERNAL, "cassandra bucket.size: " + config.bucketSize()
                    + " (expected: " + existing + ", the size keyspace " + config.keyspace() + " was created with; it "
                    + "cannot change)", null);
            }
        }
    }

    private static String owner(Resources resources) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        return host + "/node-" + resources.nodeId() + "/pid-" + ProcessHandle.current().pid();
    }

    /** Conditional writes that were not applied because another node had taken the seqs (or a retry had). */
    public long conflicts() {
        return conflicts.sum();
    }

    @Override
    public void append(NewMessage message, AppendListener listener) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(listener, "listener");
        StorageException rejected;
        appending.incrementAndGet();
        try {
            if (closed) {
                rejected = new StorageException(ErrorCode.UNAVAILABLE, "cassandra message store of keyspace "
                    + config.keyspace() + " is closed (expected: an open store)", null);
            } else if (queueOf(message.conversationId()).offer(new MessageWriter.Request(message, listener))) {
                return;
            } else {
                rejected = new StorageException(ErrorCode.UNAVAILABLE, "cassandra message store is overloaded: "
                    + config.queueMax() + " appends wait for Cassandra (expected: fewer than queue.max); retry later",
                    null);
            }
        } finally {
            appending.decrementAndGet();
        }
        MessageWriter.fail(listener, rejected); // outside the count, so that close() never waits for a listener
    }

    private BlockingQueue<MessageWriter.Request> queueOf(long conversationId) {
        // spread consecutive ids; the same conversation always lands on the same writer
        int h = Long.hashCode(conversationId * 0x9E3779B97F4A7C15L);
        return queues.get(Math.floorMod(h, queues.size()));
    }

    @Override
    public List<StoredMessage> after(long conversationId, long afterSeq, int limit) {
        checkLimit(limit);
        return read("reading messages of conversation " + conversationId + " after seq " + afterSeq, () -> {
            List<StoredMessage> result = new ArrayList<>();
            if (afterSeq >= Long.MAX_VALUE - 1) {
                return result;
            }
            long from = Math.max(afterSeq, 0) + 1;
            while (result.size() < limit) {
                List<StoredMessage> page = tables.fromInBucket(conversationId, from, limit - result.size());
                result.addAll(page);
                long bucketEnd = tables.bucketEnd(tables.bucket(from));
                // Seqs are dense: only a bucket read up to its very end can continue in the next one.
                if (page.isEmpty() || page.getLast().seq() != bucketEnd) {
                    break;
                }
                from = bucketEnd + 1;
            }
            return result;
        });
    }

    @Override
    public List<StoredMessage> before(long conversationId, long beforeSeq, int limit) {
        checkLimit(limit);
        return read("reading messages of conversation " + conversationId + " before seq " + beforeSeq, () -> {
            List<StoredMessage> newestFirst = new ArrayList<>();
            long top = beforeSeq <= 1 ? 0 : Math.min(beforeSeq - 1, head(conversationId));
            while (top >= 1 && newestFirst.size() < limit) {
                newestFirst.addAll(tables.downFromInBucket(conversationId, top, limit - newestFirst.size()));
                top = tables.bucketStart(tables.bucket(top)) - 1;
            }
            Collections.reverse(newestFirst);
            return newestFirst;
        });
    }

    @Override
    public long lastSeq(long conversationId) {
        return read("reading the last seq of conversation " + conversationId, () -> head(conversationId));
    }

    @Override
    public Map<Long, Long> lastSeqs(Collection<Long> conversationIds) {
        return read("reading the last seqs of " + conversationIds.size() + " conversations", () -> {
            Map<Long, CompletionStage<Long>> reads = new LinkedHashMap<>();
            for (Long id : new LinkedHashSet<>(conversationIds)) {
                reads.put(id, tables.head(id));
            }
            Map<Long, Long> result = new HashMap<>();
            reads.forEach((id, stage) -> result.put(id, stage.toCompletableFuture().join()));
            return result;
        });
    }

    @Override
    public Map<Long, StoredMessage> lastMessages(Collection<Long> conversationIds) {
        return read("reading the last messages of " + conversationIds.size() + " conversations", () -> {
            Map<Long, Long> heads = lastSeqs(conversationIds);
            Map<Long, CompletionStage<StoredMessage>> reads = new LinkedHashMap<>();
            heads.forEach((id, seq) -> {
                if (seq > 0) {
                    reads.put(id, tables.one(id, seq));
                }
            });
            Map<Long, StoredMessage> result = new HashMap<>();
            reads.forEach((id, stage) -> {
                StoredMessage m = stage.toCompletableFuture().join();
                if (m != null) {
                    result.put(id, m);
                }
            });
            return result;
        });
    }

    @Override
    public long countAfter(long conversationId, long afterSeq, long excludingSender) {
        return read("counting messages of conversation " + conversationId + " after seq " + afterSeq, () -> {
            long head = head(conversationId);
            long from = Math.max(afterSeq, 0);
            long n = 0;
            if (from < head) {
                for (long b = tables.bucket(from + 1); b <= tables.bucket(head); b++) {
                    n += tables.countOthersInBucket(conversationId, b, from, head, excludingSender);
                }
            }
            return n;
        });
    }

    private long head(long conversationId) {
        return tables.head(conversationId).toCompletableFuture().join();
    }

    /**
     * Stops taking appends, writes those already queued (their listeners are called before this returns), and
     * closes the session. MUST NOT be called from a listener.
     */
    @Override
    public void close() {
        if (writerThreads.contains(Thread.currentThread())) {
            throw new IllegalStateException("close() called from an append listener (expected: another thread)");
        }
        if (closeStarted.compareAndSet(false, true)) {
            closed = true;
            // An appender that saw closed == false is about to offer: let it, so that its append is written.
            while (appending.get() != 0) {
                Thread.onSpinWait();
            }
            boolean interrupted = false;
            for (BlockingQueue<MessageWriter.Request> queue : queues) {
                while (true) {
                    try {
                        queue.put(MessageWriter.STOP);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            interrupted |= joinWriters();
            session.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } else if (joinWriters()) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean joinWriters() {
        boolean interrupted = false;
        for (Thread t : writerThreads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        return interrupted;
    }

    /** Whatever ended a writer, appends that can no longer be written are failed rather than left waiting. */
    private void writerExited(BlockingQueue<MessageWriter.Request> queue) {
        closed = true;
        while (appending.get() != 0) {
            Thread.onSpinWait();
        }
        List<MessageWriter.Request> left = new ArrayList<>();
        queue.drainTo(left);
        MessageWriter.failAll(left, new StorageException(ErrorCode.UNAVAILABLE, "cassandra message store of keyspace "
            + config.keyspace() + " is closed (expected: an open store)", null));
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
    }

    private static <T> T read(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw CassandraErrors.translate(what, e);
        }
    }
}
