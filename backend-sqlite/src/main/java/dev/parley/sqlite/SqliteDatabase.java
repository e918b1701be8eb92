package dev.parley.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * One SQLite database file in WAL mode, opened with one write connection and a pool of read-only connections.
 *
 * <p>SQLite takes one writer at a time; WAL lets readers run beside it on their own snapshot. So the owner of this
 * object serializes every write on {@link #writer()} itself (a lock or a single thread), and reads borrow a pooled
 * connection with {@link #reader()} that never waits for the writer. The write connection is not thread-safe.
 */
public final class SqliteDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqliteDatabase.class);

    private final Path file;
    private final Connection writer;
    private final HikariDataSource readers;

    private SqliteDatabase(Path file, Connection writer, HikariDataSource readers) {
        this.file = file;
        this.writer = writer;
        this.readers = readers;
    }

    /**
     * Opens (creating it and its parent directories if needed) a database file.
     *
     * @throws StorageException if the file cannot be created or opened
     */
    public static SqliteDatabase open(Path file, Options options) {
        Path absolute = file.toAbsolutePath();
        try {
            Path parent = absolute.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new StorageException("cannot create the directory of " + absolute + ": " + e, e);
        }
        String url = "jdbc:sqlite:" + absolute;
        Connection writer;
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(options.synchronous().mode);
            config.setBusyTimeout(options.busyTimeoutMs());
            config.setTempStore(SQLiteConfig.TempStore.MEMORY);
            config.setCacheSize(-options.writerCacheKib()); // negative: KiB rather than pages
            config.setJournalSizeLimit(64 * 1024 * 1024); // trim the WAL file back after a checkpoint
            // Checkpoint (copy the WAL into the file, then fsync it) after this many pages: the larger, the fewer
            // times a page that many commits touch is written back.
            config.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, String.valueOf(options.walAutocheckpointPages()));
            config.setGetGeneratedKeys(false); // else every INSERT is followed by a SELECT last_insert_rowid()
            config.enforceForeignKeys(false);
            writer = config.createConnection(url);
        } catch (SQLException e) {
            throw new StorageException("cannot open " + absolute + ": " + e.getMessage(), e);
        }
        try {
            String mode = queryString(writer, "PRAGMA journal_mode");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StorageException("journal_mode of " + absolute + ": \"" + mode
                    + "\" (expected: wal; is the file on a file system without shared memory?)", null);
            }
            SQLiteConfig readerConfig = new SQLiteConfig();
            readerConfig.setReadOnly(true);
            readerConfig.setBusyTimeout(options.busyTimeoutMs());
            readerConfig.setTempStore(SQLiteConfig.TempStore.MEMORY);
            readerConfig.setCacheSize(-options.readerCacheKib());
            readerConfig.setGetGeneratedKeys(false);
            SQLiteDataSource source = new SQLiteDataSource(readerConfig);
            source.setUrl(url);
            HikariConfig pool = new HikariConfig();
            pool.setDataSource(source);
            pool.setPoolName(options.name() + "-readers");
            pool.setMaximumPoolSize(options.readPoolSize());
            pool.setMinimumIdle(options.readPoolSize());
            pool.setReadOnly(true); // must match the connections' own flag, which sqlite-jdbc cannot change
            pool.setAutoCommit(true);
            return new SqliteDatabase(absolute, writer, new HikariDataSource(pool));
        } catch (SQLException | RuntimeException e) {
            closeQuietly(writer);
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("cannot open readers of " + absolute + ": " + e.getMessage(), e);
        }
    }

    /** Work on a connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();

    /** Runs {@code work} on a pooled read-only connection; SQL failures become {@link StorageException}s. */
    public <T> T read(String operation, SqlWork<T> work) {
        try (Connection c = reader()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    /**
     * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction on the write connection, one caller at a time,
     * rolling back on error; SQL failures become {@link StorageException}s.
     */
    public <T> T transaction(String operation, SqlWork<T> work) {
        writeLock.lock();
        try {
            Connection c = writer;
            execute(c, "BEGIN IMMEDIATE");
            try {
                T result = work.run(c);
                execute(c, "COMMIT");
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw failure(operation, e);
        } finally {
            writeLock.unlock();
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /** The single write connection (auto-commit on; run {@code BEGIN IMMEDIATE} ... {@code COMMIT} on it). */
    public Connection writer() {
        return writer;
    }

    /** A read-only connection from the pool; close it to give it back. */
    public Connection reader() throws SQLException {
        return readers.getConnection();
    }

    /**
     * Brings the file's schema to the newest version ({@code PRAGMA user_version}): a new file gets every migration,
     * an older one the migrations it lacks, in one transaction. Migration {@code i} (0-based) takes the schema from
     * version {@code i} to {@code i + 1}; migrations are only ever appended, never edited.
     *
     * @throws StorageException if the file has a newer version than this code knows, or cannot be written
     */
    public void migrate(List<List<String>> migrations) {
        int newest = migrations.size();
        try {
            execute(writer, "BEGIN IMMEDIATE");
            try {
                int found;
                try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                    found = rs.next() ? rs.getInt(1) : 0;
                }
                if (found > newest) {
                    throw new StorageException(file + ": schema version " + found + " (this Parley knows up to "
                        + newest + "; was it written by a newer version?)", null);
                }
                for (int v = found; v < newest; v++) {
                    for (String statement : migrations.get(v)) {
                        execute(writer, statement);
                    }
                }
                if (found != newest) {
                    execute(writer, "PRAGMA user_version = " + newest);
                }
                execute(writer, "COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(writer);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("migrating the schema", e);
        }
    }

    /** The schema version of the file ({@code PRAGMA user_version}). */
    public int schemaVersion() {
        try (Connection c = reader(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw failure("reading the schema version", e);
        }
    }

    /** Runs a statement without result on a connection. */
    public static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Rolls the open transaction of a connection back, logging (not throwing) a failure. */
    public void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed()) {
                execute(c, "ROLLBACK");
            }
        } catch (SQLException e) {
            // "no transaction is active" when the failed statement was BEGIN itself, or SQLite already rolled back
            log.debug("rollback on {} failed: {}", file, e.getMessage());
        }
    }

    /** Wraps a driver exception so that it names the operation and the file. */
    public StorageException failure(String operation, SQLException e) {
        return new StorageException(operation + " failed on " + file + ": " + e.getMessage(), e);
    }

    /** Whether the exception is a violated UNIQUE constraint on this {@code table.column} (e.g. users.username). */
    public static boolean isUniqueViolation(SQLException e, String tableColumn) {
        if (e instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE) {
            String message = e.getMessage();
            return message != null && message.contains(tableColumn);
        }
        return false;
    }

    /** A JSON array of ids, for {@code IN (SELECT value FROM json_each(?))}: one parameter, however many ids. */
    public static String jsonArray(Collection<Long> ids) {
        StringBuilder json = new StringBuilder(ids.size() * 20 + 2).append('[');
        Iterator<Long> it = ids.iterator();
        while (it.hasNext()) {
            json.append(it.next().longValue());
            if (it.hasNext()) {
                json.append(',');
            }
        }
        return json.append(']').toString();
    }

    /** Closes the readers, then the writer. */
    @Override
    public void close() {
        writeLock.lock(); // not in the middle of a transaction
        try {
            readers.close();
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.warn("closing a connection failed: {}", e.getMessage());
        }
    }

    /** How much SQLite may lose on power failure; see {@code PRAGMA synchronous}. */
    public enum Synchronous {
        /** WAL is fsync'd at checkpoints only: the last commits may be lost on power failure, never corrupted. */
        NORMAL(SQLiteConfig.SynchronousMode.NORMAL),
        /** Every commit is fsync'd before it returns. */
        FULL(SQLiteConfig.SynchronousMode.FULL);

        private final SQLiteConfig.SynchronousMode mode;

        Synchronous(SQLiteConfig.SynchronousMode mode) {
            this.mode = mode;
        }

        /**
         * Parses a configured value, case-insensitively.
         *
         * @param key the config key, for the error message
         */
        public static Synchronous parse(String key, String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: NORMAL or FULL)");
            }
        }
    }

    /**
     * How to open a database.
     *
     * @param name           a short name for thread and pool names ({@code "messages"})
     * @param readPoolSize   read-only connections kept open
     * @param writerCacheKib page cache of the write connection, KiB
     * @param readerCacheKib page cache of each read connection, KiB
     * @param walAutocheckpointPages WAL size, in pages, past which a commit also checkpoints
     */
    public record Options(String name, Synchronous synchronous, int busyTimeoutMs, int readPoolSize,
                          int writerCacheKib, int readerCacheKib, int walAutocheckpointPages) {
        public Options {
            if (readPoolSize < 1) {
                throw new IllegalArgumentException("readPoolSize: " + readPoolSize + " (expected: >= 1)");
            }
            if (busyTimeoutMs < 0) {
                throw new IllegalArgumentException("busyTimeoutMs: " + busyTimeoutMs + " (expected: >= 0)");
            }
            if (walAutocheckpointPages < 1) {
                throw new IllegalArgumentException(
                    "walAutocheckpointPages: " + walAutocheckpointPages + " (expected: >= 1)");
            }
        }
    }
}
