package dev.parley.messaging.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.parley.cassandra.Replication;
import dev.parley.core.Resources;
import dev.parley.testkit.CassandraExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Stores on the test run's Cassandra: one node, so replication factor 1 and consistency ONE. */
final class TestStores {
    private TestStores() {
    }

    /** The keyspace of a test directory: a new one for a new directory, the same one when opened again. */
    static String keyspaceOf(Path dir) {
        Path file = dir.resolve("keyspace");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            String keyspace = CassandraExtension.server().newKeyspace();
            Files.writeString(file, keyspace);
            return keyspace;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CassandraMessageStoreConfig config(String keyspace) {
        CassandraExtension.Server server = CassandraExtension.server();
        return CassandraMessageStoreConfig.defaults(List.of(server.contactPoint()), server.datacenter(), keyspace)
            .withReplication(Replication.simple(1), DefaultConsistencyLevel.ONE);
    }

    /** A plain driver session on the test server, to look at or tamper with the tables directly. */
    static CqlSession session() {
        CassandraExtension.Server server = CassandraExtension.server();
        return CqlSession.builder().addContactPoint(server.contactPoint()).withLocalDatacenter(server.datacenter())
            .build();
    }

    static CassandraMessageStore open(Path dir, CassandraMessageStoreConfig config, int nodeId) {
        return new CassandraMessageStore(config, Resources.of(nodeId, Clock.systemUTC()));
    }
}
