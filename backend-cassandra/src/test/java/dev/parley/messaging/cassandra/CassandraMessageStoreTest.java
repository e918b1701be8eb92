package dev.parley.messaging.cassandra;

import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreContract;
import dev.parley.testkit.CassandraExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract against the real Cassandra of the test run; each test's directory maps to a keyspace of its own. */
@ExtendWith(CassandraExtension.class)
class CassandraMessageStoreTest extends MessageStoreContract {
    @Override
    protected MessageStore newStore(Path dir) {
        return TestStores.open(dir, TestStores.config(TestStores.keyspaceOf(dir)), 3);
    }
}
