package dev.parley.messaging.sqlite;

import dev.parley.core.BackendConfig;
import dev.parley.sqlite.SqliteDatabase;
import java.nio.file.Path;

/**
 * Settings of a {@link SqliteMessageStore}; the keys of the {@code messages} section are in brackets.
 *
 * @param file          the database file [{@code path}, default {@value #DEFAULT_FILE_NAME} in the data directory]
 * @param batchMax      the most appends committed in one transaction (one fsync) [{@code batch.max}, default
 *                      {@value #DEFAULT_BATCH_MAX}]
 * @param queueMax      the most appends waiting for the writer; past it appends fail at once as overloaded
 *                      [{@code queue.max}, default {@value #DEFAULT_QUEUE_MAX}]
 * @param seqCacheMax   conversations whose last seq is kept in memory [{@code seq.cache.max}, default
 *                      {@value #DEFAULT_SEQ_CACHE_MAX}, about 150 bytes each when full]
 * @param readPoolSize  read-only connections [{@code pool.size}, default {@value #DEFAULT_READ_POOL_SIZE}]
 * @param busyTimeoutMs how long a statement waits for a lock held by another process [{@code busy.timeout.ms},
 *                      default {@value #DEFAULT_BUSY_TIMEOUT_MS}]
 * @param walAutocheckpointPages WAL pages after which a commit copies the WAL back into the file
 *                      [{@code wal.autocheckpoint.pages}, default {@value #DEFAULT_WAL_AUTOCHECKPOINT_PAGES}, 4 KiB
 *                      each; SQLite's own default of 1000 makes the writer about a third slower]
 */
public record SqliteMessageStoreConfig(Path file, int batchMax, int queueMax, int seqCacheMax, int readPoolSize,
                                       int busyTimeoutMs, int walAutocheckpointPages) {
    public static final String DEFAULT_FILE_NAME = "messages.db";
    public static final int DEFAULT_BATCH_MAX = 2048;
    public static final int DEFAULT_QUEUE_MAX = 100_000;
    public static final int DEFAULT_SEQ_CACHE_MAX = 1_000_000;
    public static final int DEFAULT_READ_POOL_SIZE = 4;
    public static final int DEFAULT_BUSY_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 10_000;

    public SqliteMessageStoreConfig {
        check("batchMax", batchMax);
        check("queueMax", queueMax);
        check("seqCacheMax", seqCacheMax);
        check("readPoolSize", readPoolSize);
        check("walAutocheckpointPages", walAutocheckpointPages);
        if (busyTimeoutMs < 0) {
            throw new IllegalArgumentException("busyTimeoutMs: " + busyTimeoutMs + " (expected: >= 0)");
        }
    }

    /** The defaults, for this file. */
    public static SqliteMessageStoreConfig defaults(Path file) {
        return new SqliteMessageStoreConfig(file, DEFAULT_BATCH_MAX, DEFAULT_QUEUE_MAX, DEFAULT_SEQ_CACHE_MAX,
            DEFAULT_READ_POOL_SIZE, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_WAL_AUTOCHECKPOINT_PAGES);
    }

    /** Reads the {@code messages} section; a bad value fails naming key, value and expectation. */
    public static SqliteMessageStoreConfig from(BackendConfig config) {
        return new SqliteMessageStoreConfig(
            config.path("path", DEFAULT_FILE_NAME),
            config.getInt("batch.max", DEFAULT_BATCH_MAX, 1, 65_536),
            config.getInt("queue.max", DEFAULT_QUEUE_MAX, 1, 10_000_000),
            config.getInt("seq.cache.max", DEFAULT_SEQ_CACHE_MAX, 1, 100_000_000),
            config.getInt("pool.size", DEFAULT_READ_POOL_SIZE, 1, 64),
            config.getInt("busy.timeout.ms", DEFAULT_BUSY_TIMEOUT_MS, 0, 600_000),
            config.getInt("wal.autocheckpoint.pages", DEFAULT_WAL_AUTOCHECKPOINT_PAGES, 1, 1_000_000));
    }

    /** A copy with another batch size. */
    public SqliteMessageStoreConfig withBatchMax(int max) {
        return new SqliteMessageStoreConfig(file, max, queueMax, seqCacheMax, readPoolSize, busyTimeoutMs,
            walAutocheckpointPages);
    }

    /** A copy with another queue bound. */
    public SqliteMessageStoreConfig withQueueMax(int max) {
        return new SqliteMessageStoreConfig(file, batchMax, max, seqCacheMax, readPoolSize, busyTimeoutMs,
            walAutocheckpointPages);
    }

    /** A copy with another seq cache bound. */
    public SqliteMessageStoreConfig withSeqCacheMax(int max) {
        return new SqliteMessageStoreConfig(file, batchMax, queueMax, max, readPoolSize, busyTimeoutMs,
            walAutocheckpointPages);
    }

    SqliteDatabase.Options databaseOptions() {
        // Every commit fsync'd: a message acknowledged as sent survives kill -9 and power loss.
        return new SqliteDatabase.Options("messages", SqliteDatabase.Synchronous.FULL, busyTimeoutMs, readPoolSize,
            64 * 1024, 16 * 1024, walAutocheckpointPages);
    }

    private static void check(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
    }
}
