package dev.parley.messaging.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.BackendConfig;
import dev.parley.core.Providers;
import dev.parley.core.Resources;
import dev.parley.messaging.AppendProbe;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreProvider;
import dev.parley.messaging.NewMessage;
import dev.parley.testkit.CassandraExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The store as the server builds it: from its configuration section, found by type. */
@ExtendWith(CassandraExtension.class)
class CassandraMessageStoreProviderTest {
    @TempDir
    Path dir;

    @Test
    void providerOpensAWorkingStoreFromItsSection() {
        CassandraExtension.Server server = CassandraExtension.server();
        BackendConfig section = new BackendConfig("messages", "cassandra", Map.of(
            "contact.points", server.contactPointString(),
            "local.datacenter", server.datacenter(),
            "keyspace", server.newKeyspace(),
            "replication", "SimpleStrategy:1",
            "consistency", "ONE"), dir);

        MessageStoreProvider provider = Providers.find(MessageStoreProvider.class, section,
            MessageStoreProvider::type);
        try (MessageStore store = provider.create(section, Resources.of(7, Clock.systemUTC()))) {
            NewMessage m = new NewMessage(1, 100, 1, "hello", "hello", null, 1_760_000_000_000L);
            AppendProbe p = new AppendProbe(m, null);
            store.append(m, p);

            assertThat(p.awaitStored(false).seq()).isEqualTo(1);
            assertThat(store.lastSeq(1)).isEqualTo(1);
        }
    }
}
