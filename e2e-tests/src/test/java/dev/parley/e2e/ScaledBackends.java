package dev.parley.e2e;

import dev.parley.testkit.CassandraExtension;
import dev.parley.testkit.PostgresExtension;
import dev.parley.testkit.RedisExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the end-to-end suite on the scaled backends when the system property {@code parley.e2e.backends} is
 * {@code scaled} (the build's second end-to-end execution sets it): before the first test class it starts the real
 * servers once for the run (testkit's extensions), and {@link #settingsFor} puts every server under test in one
 * database, keyspace and key prefix of the run: they share them as the nodes of a cluster would (the tests' users
 * and conversations never collide: names are unique, ids are time-based), and a restarted server finds its data.
 * Making a keyspace and a database per server cost more than the tests themselves. Without the property it does
 * nothing and servers use the embedded backends. Registered for every test class by JUnit's extension
 * auto-detection ({@code META-INF/services/org.junit.jupiter.api.extension.Extension}).
 */
public final class ScaledBackends implements BeforeAllCallback {
    private static final String RUN = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private static volatile String space;

    static boolean enabled() {
        return "scaled".equals(System.getProperty("parley.e2e.backends"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (enabled()) {
            new RedisExtension().beforeAll(context);
            new PostgresExtension().beforeAll(context);
            new CassandraExtension().beforeAll(context);
        }
    }

    /** The run's database, keyspace and key prefix name; the database is made on first use. */
    private static synchronized String space() {
        if (space == null) {
            String name = "e2e_" + RUN;
            PostgresExtension.server().createDatabase(name);
            space = name;
        }
        return space;
    }

    /** Settings that put a server whose data directory is {@code dataDir} on the scaled backends (none when off). */
    static Map<String, String> settingsFor(Path dataDir) {
        if (!enabled()) {
            return Map.of();
        }
        String space = space();
        var pg = PostgresExtension.server();
        Map<String, String> s = new HashMap<>();
        s.put("directory.type", "postgres");
        s.put("directory.url", pg.jdbcUrl(space));
        s.put("directory.user", pg.user());
        s.put("directory.password", pg.password());
        var cassandra = CassandraExtension.server();
        s.put("messages.type", "cassandra");
        s.put("messages.contact.points", cassandra.contactPointString());
        s.put("messages.local.datacenter", cassandra.datacenter());
        s.put("messages.keyspace", space);
        s.put("messages.replication", "SimpleStrategy:1");
        s.put("messages.consistency", "ONE"); // one node: ONE and QUORUM are the same replica
        s.put("sessions.type", "redis");
        s.put("sessions.uri", RedisExtension.server().uri().toString());
        s.put("sessions.keyPrefix", space + ":");
        return s;
    }
}
