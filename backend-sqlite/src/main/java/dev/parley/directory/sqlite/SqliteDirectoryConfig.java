package dev.parley.directory.sqlite;

import dev.parley.core.BackendConfig;
import dev.parley.sqlite.SqliteDatabase;
import java.nio.file.Path;

/**
 * Settings of a {@link SqliteDirectory}; the keys of the {@code directory} section are in brackets.
 *
 * @param file          the database file [{@code path}, default {@value #DEFAULT_FILE_NAME} in the data directory]
 * @param readPoolSize  read-only connections [{@code pool.size}, default {@value #DEFAULT_READ_POOL_SIZE}]
 * @param busyTimeoutMs how long a statement waits for a lock held by another process [{@code busy.timeout.ms},
 *                      default {@value #DEFAULT_BUSY_TIMEOUT_MS}]
 * @param synchronous   {@code FULL} (default) or {@code NORMAL} [{@code synchronous}]; see the package description
 */
public record SqliteDirectoryConfig(Path file, int readPoolSize, int busyTimeoutMs,
                                    SqliteDatabase.Synchronous synchronous) {
    public static final String DEFAULT_FILE_NAME = "directory.db";
    public static final int DEFAULT_READ_POOL_SIZE = 4;
    public static final int DEFAULT_BUSY_TIMEOUT_MS = 5_000;
    public static final SqliteDatabase.Synchronous DEFAULT_SYNCHRONOUS = SqliteDatabase.Synchronous.FULL;

    /** The defaults, for this file. */
    public static SqliteDirectoryConfig defaults(Path file) {
        return new SqliteDirectoryConfig(file, DEFAULT_READ_POOL_SIZE, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_SYNCHRONOUS);
    }

    /** Reads the {@code directory} section; a bad value fails naming key, value and expectation. */
    public static SqliteDirectoryConfig from(BackendConfig config) {
        return new SqliteDirectoryConfig(
            config.path("path", DEFAULT_FILE_NAME),
            config.getInt("pool.size", DEFAULT_READ_POOL_SIZE, 1, 64),
            config.getInt("busy.timeout.ms", DEFAULT_BUSY_TIMEOUT_MS, 0, 600_000),
            SqliteDatabase.Synchronous.parse(config.section() + ".synchronous",
                config.get("synchronous", DEFAULT_SYNCHRONOUS.name())));
    }

    SqliteDatabase.Options databaseOptions() {
        return new SqliteDatabase.Options("directory", synchronous, busyTimeoutMs, readPoolSize, 16 * 1024, 8 * 1024,
            1000);
    }
}
