package dev.parley.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small versioned schema migration runner for one keyspace. It creates the keyspace if missing, keeps applied
 * versions in {@code <keyspace>.schema_migrations}, and applies the missing ones in order.
 *
 * <p>Several nodes may start at once: a version is claimed with a lightweight transaction ({@code INSERT ... IF NOT
 * EXISTS}), the claimer applies it and marks it done, the others wait for that. A claim older than
 * {@link #LEASE} (its node died mid-migration) is taken over, again with a lightweight transaction. The statements
 * themselves are idempotent ({@code IF NOT EXISTS}), and a {@code CREATE TABLE} carries a table id derived from the
 * keyspace and table name ({@code {id:name}} in the statement text), so that even two nodes creating one table at the
 * same instant create the same table rather than two that disagree. {@code {ks}} in a statement stands for the
 * keyspace.
 */
public final class CassandraMigrator {
    /** How long a claim on a version stays valid without being marked done. */
    public static final Duration LEASE = Duration.ofSeconds(60);
    /** How long {@link #migrate} waits for other nodes' migrations in all. */
    public static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern ID = Pattern.compile("\\{id:([a-z0-9_]+)}");
    private static final String DONE = "done";
    private static final Logger log = LoggerFactory.getLogger(CassandraMigrator.class);

    private final CqlSession session;
    private final String keyspace;
    private final Replication replication;
    private final String owner;
    private final ConsistencyLevel serial;
    private final Clock clock;

    /** One schema version: what it does and its CQL statements. */
    public record Migration(int version, String description, List<String> statements) {
        public Migration {
            if (version < 1) {
                throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
            }
            statements = List.copyOf(statements);
        }
    }

    /**
     * @param owner  who runs the migrations, written into the claim (host and node id)
     * @param serial the serial consistency of the claims
     */
    public CassandraMigrator(CqlSession session, String keyspace, Replication replication, String owner,
                             ConsistencyLevel serial, Clock clock) {
        this.session = session;
        this.keyspace = keyspace;
        this.replication = replication;
        this.owner = owner;
        this.serial = serial;
        this.clock = clock;
    }

    /**
     * Brings the keyspace to the last of these versions (numbered 1, 2, 3 ... in order).
     *
     * @return the schema version now in place
     * @throws StorageException when the keyspace has a newer version than these, or Cassandra fails
     */
    public int migrate(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migration " + i + " has version " + migrations.get(i).version()
                    + " (expected: " + (i + 1) + ")");
            }
        }
        try {
            ddl("CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = " + replication.toCql());
            ddl("CREATE TABLE IF NOT EXISTS {ks}.schema_migrations (version int PRIMARY KEY, description text,"
                + " state text, owner text, started_at timestamp, finished_at timestamp) WITH ID = {id:schema_migrations}");
            int newest = 0;
            for (Row row : session.execute(SimpleStatement.newInstance(
                "SELECT version, state FROM " + keyspace + ".schema_migrations"))) {
                if (DONE.equals(row.getString("state"))) {
                    newest = Math.max(newest, row.getInt("version"));
                }
            }
            if (newest > migrations.size()) {
                throw new StorageException(ErrorCode.INTERNAL, "cassandra keyspace " + keyspace + " has schema version "
                    + newest + " (this Parley knows up to " + migrations.size() + "): run a newer Parley", null);
            }
            Statements st = new Statements();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            for (Migration m : migrations) {
                apply(m, st, deadline);
            }
            return migrations.size();
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw CassandraErrors.translate("migrating keyspace " + keyspace, e);
        }
    }

    private void apply(Migration m, Statements st, long deadline) {
        while (true) {
            Row row = session.execute(st.select.bind(m.version()).setConsistencyLevel(serial)).one();
            if (row == null) {
                ResultSet claim = session.execute(st.claim.bind(m.version(), m.description(), owner, now())
                    .setSerialConsistencyLevel(serial));
                if (claim.wasApplied()) {
                    run(m, st);
                    return;
                }
            } else if (DONE.equals(row.getString("state"))) {
                return;
            } else {
                Instant started = row.getInstant("started_at");
                if (started == null || started.plus(LEASE).isBefore(clock.instant())) {
                    // Its claimer died (or is hopelessly slow): the statements are idempotent, so run them again.
                    ResultSet takeover = session.execute(st.takeover.bind(owner, now(), m.version(),
                        row.getString("owner"), started).setSerialConsistencyLevel(serial));
                    if (takeover.wasApplied()) {
                        log.warn("cassandra keyspace {}: taking over schema version {} from {} (claimed at {})",
                            keyspace, m.version(), row.getString("owner"), started);
                        run(m, st);
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new StorageException(ErrorCode.UNAVAILABLE, "cassandra keyspace " + keyspace + ": schema version "
                    + m.version() + " is being applied by " + (row == null ? "another node" : row.getString("owner"))
                    + " and was not done within " + DEADLINE.toSeconds() + " s", null);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(ErrorCode.UNAVAILABLE, "interrupted while waiting for schema version "
                    + m.version() + " of keyspace " + keyspace, e);
            }
        }
    }

    private void run(Migration m, Statements st) {
        log.info("cassandra keyspace {}: applying schema version {} ({})", keyspace, m.version(), m.description());
        for (String statement : m.statements()) {
            ddl(statement);
        }
        ResultSet done = session.execute(st.done.bind(now(), m.version(), owner).setSerialConsistencyLevel(serial));
        if (!done.wasApplied()) {
            // Another node took the claim over meanwhile; it runs the same idempotent statements and marks it done.
            log.warn("cassandra keyspace {}: schema version {} was taken over by another node", keyspace, m.version());
        }
    }

    private void ddl(String template) {
        String cql = template.replace("{ks}", keyspace);
        Matcher ids = ID.matcher(cql);
        cql = ids.replaceAll(r -> tableId(keyspace, r.group(1)).toString());
        session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }

    /** The id every node gives the table {@code keyspace.table}, so that concurrent creations agree. */
    public static UUID tableId(String keyspace, String table) {
        return UUID.nameUUIDFromBytes(("parley:" + keyspace + "." + table).getBytes(StandardCharsets.UTF_8));
    }

    private Instant now() {
        return clock.instant();
    }

    /** The prepared statements on {@code schema_migrations}. */
    private final class Statements {
        final PreparedStatement select = session.prepare("SELECT state, owner, started_at FROM " + keyspace
            + ".schema_migrations WHERE version = ?");
        final PreparedStatement claim = session.prepare("INSERT INTO " + keyspace + ".schema_migrations"
            + " (version, description, state, owner, started_at) VALUES (?, ?, 'running', ?, ?) IF NOT EXISTS");
        final PreparedStatement takeover = session.prepare("UPDATE " + keyspace + ".schema_migrations"
            + " SET owner = ?, started_at = ? WHERE version = ? IF owner = ? AND started_at = ?");
        final PreparedStatement done = session.prepare("UPDATE " + keyspace + ".schema_migrations"
            + " SET state = 'done', finished_at = ? WHERE version = ? IF owner = ?");
    }
}
