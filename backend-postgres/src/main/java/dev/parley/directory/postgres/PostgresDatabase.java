package dev.parley.directory.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of connections to one PostgreSQL database, with the schema brought up to date by Flyway at start, and the
 * translation of every driver failure into a {@link StorageException}.
 *
 * <p>Calls borrow a connection for their duration. When none is free within {@code pool.waitMillis}, the call fails
 * with {@link ErrorCode#UNAVAILABLE} (the gateway answers 503) rather than queueing without bound.
 */
final class PostgresDatabase implements AutoCloseable {
    /** SQLSTATEs worth running a transaction again for: serialization failure, deadlock detected. */
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK_DETECTED = "40P01";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final int ATTEMPTS = 3;
    /** Where Flyway finds the migrations, {@code V1__directory.sql} and on. */
    static final String MIGRATIONS = "classpath:db/migration/postgres";

    private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);

    private final String name;
    private final PostgresDirectoryConfig config;
    private final HikariDataSource pool;

    /**
     * Migrates the schema, then opens the pool.
     *
     * @param name a short name for messages and the pool's threads ({@code "directory"})
     * @throws StorageException {@code unavailable} if the database cannot be reached; {@code internal} if the
     *                          schema cannot be migrated
     */
    PostgresDatabase(String name, PostgresDirectoryConfig config) {
        this.name = name;
        this.config = config;
        migrate();
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setJdbcUrl(config.url());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(config.poolSize()); // a fixed pool: no connection set-up on the request path
        hikari.setConnectionTimeout(config.poolWaitMillis());
        hikari.setValidationTimeout(Math.min(5_000, config.poolWaitMillis()));
        hikari.setAutoCommit(true);
        hikari.addDataSourceProperty("ApplicationName", "parley-" + name);
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        try {
            this.pool = new HikariDataSource(hikari);
        } catch (HikariPool.PoolInitializationException e) {
            throw new StorageException(ErrorCode.UNAVAILABLE, name + ": cannot connect to " + config.url() + " as "
                + config.user() + ": " + rootMessage(e), e);
        }
    }

    private void migrate() {
        try {
            Flyway.configure(PostgresDatabase.class.getClassLoader())
                // its own connections: a pool of size 1 would not do for Flyway, which may hold two
                .dataSource(config.url(), config.user(), config.password())
                .locations(MIGRATIONS)
                .load()
                .migrate();
        } catch (FlywayException e) {
            boolean unreachable = causedBy(e, java.net.ConnectException.class)
                || causedBy(e, java.net.UnknownHostException.class);
            throw new StorageException(unreachable ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL,
                name + ": migrating the schema of " + config.url() + " failed: " + rootMessage(e), e);
        }
    }

    /** Work on a connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on a pooled connection in auto-commit mode: each statement is its own transaction. For a
     * read, or a write of one statement.
     */
    <T> T call(String operation, SqlWork<T> work) {
        try (Connection c = connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    /**
     * Runs {@code work} in one transaction (READ COMMITTED), rolling back on error. A transaction that lost a
     * deadlock or a serialization check is run again, up to {@value #ATTEMPTS} times in all.
     */
    <T> T transaction(String operation, SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transactionOnce(work);
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && isRetriable(e)) {
                    log.debug("{}: {} failed ({}), running it again", name, operation, e.getMessage());
                    continue;
                }
                throw failure(operation, e);
            }
        }
    }

    private <T> T transactionOnce(SqlWork<T> work) throws SQLException {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    // a broken connection: HikariCP evicts it; the failure that broke it is what the caller sees
                }
            }
        }
    }

    private Connection connection() throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw unavailable(e);
        } catch (SQLException e) {
            if (pool.isClosed()) {
                throw new StorageException(ErrorCode.UNAVAILABLE, name + ": closed", e);
            }
            throw e;
        }
    }

    /** HikariCP timed out: either every connection is busy, or it cannot make new ones (the database is down). */
    private StorageException unavailable(SQLTransientConnectionException e) {
        Throwable cause = e.getCause();
        var mx = pool.getHikariPoolMXBean();
        boolean exhausted = cause == null || (mx != null && mx.getActiveConnections() >= config.poolSize());
        if (exhausted) {
            return new StorageException(ErrorCode.UNAVAILABLE, name + ": no database connection free within "
                + config.poolWaitMillis() + " ms (pool.size=" + config.poolSize() + ")", e);
        }
        return new StorageException(ErrorCode.UNAVAILABLE, name + ": cannot connect to " + config.url() + ": "
            + rootMessage(cause), e);
    }

    /** Wraps a driver exception so that it names the operation and the SQLSTATE. */
    StorageException failure(String operation, SQLException e) {
        return new StorageException(name + ": " + operation + " failed: " + e.getMessage()
            + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"), e);
    }

    private static boolean isRetriable(SQLException e) {
        return SERIALIZATION_FAILURE.equals(e.getSQLState()) || DEADLOCK_DETECTED.equals(e.getSQLState());
    }

    /** Whether the exception is a violation of this UNIQUE (or PRIMARY KEY) constraint. */
    static boolean isUniqueViolation(SQLException e, String constraint) {
        if (!UNIQUE_VIOLATION.equals(e.getSQLState()) || !(e instanceof PSQLException pe)) {
            return false;
        }
        ServerErrorMessage detail = pe.getServerErrorMessage();
        return detail != null && constraint.equals(detail.getConstraint());
    }

    /** The pool, for tests that need to see or exhaust it. */
    HikariDataSource pool() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
